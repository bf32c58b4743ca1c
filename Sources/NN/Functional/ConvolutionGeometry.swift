import Synchronization
import Tensor

/// The sizes of one 2-D convolution (or pooling) window sweep, as PyTorch computes them:
/// `out = (in + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1`.
public struct ConvolutionGeometry: Sendable, Equatable {
    /// The input's size `[N, C, H, W]`: images, channels, rows and columns.
    public var batch, channels, height, width: Int
    /// The window's rows and columns.
    public var kernelHeight, kernelWidth: Int
    /// The step between windows, in input rows and columns.
    public var strideY, strideX: Int
    /// The padding on each side of the input, in rows (top and bottom) and columns (left and right).
    public var paddingY, paddingX: Int
    /// The spacing between the window's taps, in rows and columns (1: adjacent).
    public var dilationY, dilationX: Int

    /// Output rows: `(height + 2 * paddingY - dilationY * (kernelHeight - 1) - 1) / strideY + 1`.
    public var outputHeight: Int { (height + 2 * paddingY - dilationY * (kernelHeight - 1) - 1) / strideY + 1 }
    /// Output columns: `(width + 2 * paddingX - dilationX * (kernelWidth - 1) - 1) / strideX + 1`.
    public var outputWidth: Int { (width + 2 * paddingX - dilationX * (kernelWidth - 1) - 1) / strideX + 1 }
    /// Output positions per image and channel.
    public var outputPlane: Int { outputHeight * outputWidth }
    /// Rows of the im2col matrix: one per (channel, kernel row, kernel column).
    public var patchSize: Int { channels * kernelHeight * kernelWidth }

    /// The output columns `firstX..<lastX` whose input column `ox * strideX + offsetX` lies
    /// inside the image (im2col reads them, col2im writes them; the rest is padding).
    @inline(__always)
    func columnsInside(offsetX: Int) -> (firstX: Int, lastX: Int) {
        let firstX = offsetX >= 0 ? 0 : Swift.min(outputWidth, (-offsetX + strideX - 1) / strideX)
        return (firstX, Swift.max(firstX, Swift.min(outputWidth, (width - offsetX + strideX - 1) / strideX)))
    }

    /// Creates the geometry for an input of shape `[N, C, H, W]`, with the kernel, stride, padding
    /// and dilation each given as `(rows, columns)`.
    public init(
        input shape: [Int], kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int) = (1, 1)
    ) {
        (batch, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
        (kernelHeight, kernelWidth) = kernel
        (strideY, strideX) = stride
        (paddingY, paddingX) = padding
        (dilationY, dilationX) = dilation
    }
}
