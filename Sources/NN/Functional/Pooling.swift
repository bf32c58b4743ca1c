import Tensor

/// 2-D max pooling, as `torch.nn.functional.max_pool2d` (padding counts as -infinity).
/// The gradient goes to the first maximal element of each window.
///
/// With `ceilMode` (PyTorch's `ceil_mode=True`) the output size rounds up,
/// `ceil((size + 2 * padding - kernel) / stride) + 1`, so a last window may hang over the
/// bottom or right edge and covers only what is inside; as PyTorch, that last window is dropped
/// when it would start beyond the input and its left padding (see ``pooledSize(_:kernel:stride:padding:ceilMode:)``).
///
/// Shape: `[N, C, H, W]` -> `[N, C, outH, outW]`.
public func maxPool2d(
    _ input: Tensor, kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
    ceilMode: Bool = false
) -> Tensor {
    precondition(input.rank == 4, "maxPool2d: expected input [N, C, H, W], got \(input.shape)")
    let g = ConvolutionGeometry(input: input.shape, kernel: kernel, stride: stride ?? kernel, padding: padding)
    let outH = pooledSize(g.height, kernel: g.kernelHeight, stride: g.strideY, padding: g.paddingY, ceilMode: ceilMode)
    let outW = pooledSize(g.width, kernel: g.kernelWidth, stride: g.strideX, padding: g.paddingX, ceilMode: ceilMode)
    precondition(
        outH > 0 && outW > 0, "maxPool2d: input \(input.shape) is smaller than the \(kernel.0)x\(kernel.1) window")
    precondition(
        padding.0 * 2 <= kernel.0 && padding.1 * 2 <= kernel.1,
        "maxPool2d: padding \(padding) must be at most half the kernel \(kernel)")
    let inPlane = g.height * g.width, outPlane = outH * outW
    var output = Tensor(uninitializedShape: [g.batch, g.channels, outH, outW])
    let source = UncheckedSendable(input.unsafeBaseAddress),
        destination = UncheckedSendable(output.unsafeMutableBaseAddress())
    /// Pools every plane, writing each window's argmax (flat index into its input plane) to `indices`.
    func pool(indices: UnsafeMutablePointer<Int32>) {
        let argmax = UncheckedSendable(indices)
        parallelFor(g.batch * g.channels) { planeIndex in
            maxPoolPlane(
                source.value + planeIndex * inPlane, g, outH: outH, outW: outW,
                into: destination.value + planeIndex * outPlane, indices: argmax.value + planeIndex * outPlane)
        }
    }
    guard GradMode.isEnabled && input.requiresGrad else {
        // Inference: no backward pass will read the indices, so reused scratch space takes them.
        withScratchBuffer(count: output.count) { scratch in
            scratch.withMemoryRebound(to: Int32.self, capacity: Swift.max(1, output.count)) { pool(indices: $0) }
        }
        withExtendedLifetime(input) {}
        return output
    }
    // Kept for the backward pass.
    let argmax = UnsafeMutableBufferPointer<Int32>.allocate(capacity: Swift.max(1, output.count))
    pool(indices: argmax.baseAddress!)
    withExtendedLifetime(input) {}
    let saved = ArgmaxBuffer(argmax)
    return Tensor.recording(output, inputs: [input]) { gradOutput in
        var gradInput = Tensor.zeros(input.shape)
        gradOutput.withUnsafeBufferPointer { go in
            gradInput.withUnsafeMutableBufferPointer { gi in
                let source = UncheckedSendable(go.baseAddress!), destination = UncheckedSendable(gi.baseAddress!)
                let indices = UncheckedSendable(saved.buffer.baseAddress!)
                parallelFor(g.batch * g.channels) { planeIndex in
                    let from = source.value + planeIndex * outPlane, to = destination.value + planeIndex * inPlane
                    let index = indices.value + planeIndex * outPlane
                    for i in 0..<outPlane { to[Int(index[i])] += from[i] }
                }
            }
        }
        return [gradInput]
    }
}

/// The output size of pooling along one axis, as PyTorch's `pooling_output_shape` (dilation 1):
/// `floor` or, with `ceilMode`, `ceil` of `(size + 2 * padding - kernel) / stride`, plus one;
/// in ceil mode the last window is dropped when it would start at or beyond `size + padding`
/// (outside the input and its left padding).
public func pooledSize(_ size: Int, kernel: Int, stride: Int, padding: Int, ceilMode: Bool) -> Int {
    let span = size + 2 * padding - kernel
    guard span >= 0 else { return 0 }
    var count = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
    if ceilMode && (count - 1) * stride >= size + padding { count -= 1 }
    return count
}

/// Owns the argmax indices of a max pooling until its backward pass is released.
private final class ArgmaxBuffer {
    let buffer: UnsafeMutableBufferPointer<Int32>
    init(_ buffer: UnsafeMutableBufferPointer<Int32>) { self.buffer = buffer }
    deinit { buffer.deallocate() }
}

/// 2-D average pooling, as `torch.nn.functional.avg_pool2d` with `count_include_pad=True`
/// (zero padding counts towards the divisor).
///
/// Shape: `[N, C, H, W]` -> `[N, C, outH, outW]`.
public func avgPool2d(
    _ input: Tensor, kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)
) -> Tensor {
    precondition(input.rank == 4, "avgPool2d: expected input [N, C, H, W], got \(input.shape)")
    let g = ConvolutionGeometry(input: input.shape, kernel: kernel, stride: stride ?? kernel, padding: padding)
    precondition(
        g.outputHeight > 0 && g.outputWidth > 0,
        "avgPool2d: input \(input.shape) is smaller than the \(kernel.0)x\(kernel.1) window")
    let windows = (0..<g.outputHeight).flatMap { oy in
        (0..<g.outputWidth).map { ox -> PoolWindow in
            let y0 = oy * g.strideY - g.paddingY, x0 = ox * g.strideX - g.paddingX
            let y1 = Swift.min(y0 + g.kernelHeight, g.height + g.paddingY),
                x1 = Swift.min(x0 + g.kernelWidth, g.width + g.paddingX)
            return PoolWindow(
                y: Swift.max(y0, 0)..<Swift.min(y1, g.height), x: Swift.max(x0, 0)..<Swift.min(x1, g.width),
                divisor: Float((y1 - y0) * (x1 - x0)))
        }
    }
    return averageOverWindows(
        input, windows: windows, outputSize: (g.outputHeight, g.outputWidth), operation: "avgPool2d")
}

/// Adaptive average pooling to a fixed output size, as
/// `torch.nn.functional.adaptive_avg_pool2d`: window `i` spans
/// `floor(i * in / out) ..< ceil((i + 1) * in / out)`.
///
/// Shape: `[N, C, H, W]` -> `[N, C, outputSize.0, outputSize.1]`.
public func adaptiveAvgPool2d(_ input: Tensor, outputSize: (Int, Int)) -> Tensor {
    precondition(input.rank == 4, "adaptiveAvgPool2d: expected input [N, C, H, W], got \(input.shape)")
    let (h, w) = (input.shape[2], input.shape[3])
    let windows = (0..<outputSize.0).flatMap { oy in
        (0..<outputSize.1).map { ox -> PoolWindow in
            let y = (oy * h / outputSize.0)..<((oy + 1) * h + outputSize.0 - 1) / outputSize.0
            let x = (ox * w / outputSize.1)..<((ox + 1) * w + outputSize.1 - 1) / outputSize.1
            return PoolWindow(y: y, x: x, divisor: Float(y.count * x.count))
        }
    }
    return averageOverWindows(input, windows: windows, outputSize: outputSize, operation: "adaptiveAvgPool2d")
}

/// One averaging window: the input rows and columns it covers and what it divides by.
private struct PoolWindow {
    let y: Range<Int>, x: Range<Int>
    let divisor: Float
}

private func averageOverWindows(
    _ input: Tensor, windows: [PoolWindow], outputSize: (Int, Int), operation: String
) -> Tensor {
    let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    let inPlane = h * w, outPlane = windows.count
    var output = Tensor(uninitializedShape: [n, c, outputSize.0, outputSize.1])
    input.withUnsafeBufferPointer { x in
        output.withUnsafeMutableBufferPointer { o in
            let source = UncheckedSendable(x.baseAddress!), destination = UncheckedSendable(o.baseAddress!)
            parallelFor(n * c) { planeIndex in
                let plane = source.value + planeIndex * inPlane, out = destination.value + planeIndex * outPlane
                for (i, window) in windows.enumerated() {
                    var total: Float = 0
                    for y in window.y { for x in window.x { total += plane[y * w + x] } }
                    out[i] = total / window.divisor
                }
            }
        }
    }
    return Tensor.recording(output, inputs: [input]) { gradOutput in
        var gradInput = Tensor.zeros(input.shape)
        gradOutput.withUnsafeBufferPointer { go in
            gradInput.withUnsafeMutableBufferPointer { gi in
                let source = UncheckedSendable(go.baseAddress!), destination = UncheckedSendable(gi.baseAddress!)
                parallelFor(n * c) { planeIndex in
                    let from = source.value + planeIndex * outPlane, to = destination.value + planeIndex * inPlane
                    for (i, window) in windows.enumerated() {
                        let share = from[i] / window.divisor
                        for y in window.y { for x in window.x { to[y * w + x] += share } }
                    }
                }
            }
        }
        return [gradInput]
    }
}
