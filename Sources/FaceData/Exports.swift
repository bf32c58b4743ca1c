@_exported import Tensor
@_exported import Vision
