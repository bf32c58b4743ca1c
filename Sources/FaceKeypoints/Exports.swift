@_exported import Tensor
@_exported import TensorIO
@_exported import NN
@_exported import Optim
@_exported import Vision
@_exported import FaceData
@_exported import FaceDetection
