@_exported import FaceData
@_exported import FaceDetection
@_exported import NN
@_exported import Optim
@_exported import Tensor
@_exported import TensorIO
@_exported import Vision
