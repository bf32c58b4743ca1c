import Synchronization
import Tensor

/// How ``conv2d(_:weight:bias:stride:padding:dilation:activation:)`` computes its products;
/// tests choose one to check both on the same layer.
package enum ConvolutionAlgorithm: Sendable {
    /// Winograd's method where it is supported and pays off, else im2col.
    case automatic
    case im2col
    /// Winograd's method; the layer must be 3x3, stride 1, undilated, padded by at most 2.
    case winograd
}
