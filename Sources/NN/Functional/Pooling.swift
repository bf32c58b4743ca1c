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
public func maxPool2d(_ input: Tensor, kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                      ceilMode: Bool = false) -> Tensor {
    precondition(input.rank == 4, "maxPool2d: expected input [N, C, H, W], got \(input.shape)")
    let g = ConvolutionGeometry(input: input.shape, kernel: kernel, stride: stride ?? kernel, padding: padding)
    let outH = pooledSize(g.height, kernel: g.kernelHeight, stride: g.strideY, padding: g.paddingY, ceilMode: ceilMode)
    let outW = pooledSize(g.width, kernel: g.kernelWidth, stride: g.strideX, padding: g.paddingX, ceilMode: ceilMode)
    precondition(outH > 0 && outW > 0, "maxPool2d: input \(input.shape) is smaller than the \(kernel.0)x\(kernel.1) window")
    precondition(padding.0 * 2 <= kernel.0 && padding.1 * 2 <= kernel.1, "maxPool2d: padding \(padding) must be at most half the kernel \(kernel)")
    // The vector paths assume every window lies inside the (padded) input: not so for the last,
    // partial window of ceil mode.
    let windowsInside = outH == g.outputHeight && outW == g.outputWidth
    let inPlane = g.height * g.width, outPlane = outH * outW
    var output = Tensor(uninitializedShape: [g.batch, g.channels, outH, outW])
    // Flat index into the input plane of each window's maximum, kept for the backward pass.
    let argmax = UnsafeMutableBufferPointer<Int32>.allocate(capacity: Swift.max(1, output.count))
    let argmaxPointer = UncheckedSendable(argmax.baseAddress!)
    input.withUnsafeBufferPointer { x in
        output.withUnsafeMutableBufferPointer { o in
            let source = UncheckedSendable(x.baseAddress!), destination = UncheckedSendable(o.baseAddress!)
            parallelFor(g.batch * g.channels) { planeIndex in
                let plane = source.value + planeIndex * inPlane
                let out = destination.value + planeIndex * outPlane
                let indices = argmaxPointer.value + planeIndex * outPlane
                if windowsInside && g.kernelHeight == 2 && g.kernelWidth == 2 && g.strideY == 2 && g.strideX == 2 && g.paddingY == 0 && g.paddingX == 0 {
                    maxPool2x2Stride2(plane, g, into: out, indices: indices)
                    return
                }
                if windowsInside && g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideY == 2 && g.strideX == 2 && g.paddingY == 1 && g.paddingX == 1 {
                    maxPool3x3Stride2(plane, g, into: out, indices: indices)
                    return
                }
                // Row by row: the first maximum of each window's part of input row y, merged into
                // the output row when greater. Same choice as scanning each window row-major
                // (first maximum; a NaN wins, the last one if several), with the row's values
                // read once per window column instead of once per window.
                for oy in 0..<outH {
                    let y0 = oy * g.strideY - g.paddingY
                    let yStart = Swift.max(y0, 0), yEnd = Swift.min(y0 + g.kernelHeight, g.height)
                    let outRow = out + oy * outW, indexRow = indices + oy * outW
                    for ox in 0..<outW {
                        outRow[ox] = -.infinity
                        indexRow[ox] = Int32(yStart * g.width + Swift.max(ox * g.strideX - g.paddingX, 0))
                    }
                    for y in yStart..<yEnd {
                        let row = plane + y * g.width
                        for ox in 0..<outW {
                            let x0 = ox * g.strideX - g.paddingX
                            let xStart = Swift.max(x0, 0), xEnd = Swift.min(x0 + g.kernelWidth, g.width)
                            var best = row[xStart], bestX = xStart
                            for x in (xStart + 1)..<xEnd {
                                // Selects, not branches: the comparisons are data-dependent.
                                let value = row[x], take = value > best || value != value
                                best = take ? value : best
                                bestX = take ? x : bestX
                            }
                            let take = best > outRow[ox] || best != best
                            outRow[ox] = take ? best : outRow[ox]
                            indexRow[ox] = take ? Int32(y * g.width + bestX) : indexRow[ox]
                        }
                    }
                }
            }
        }
    }
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

/// The common 2x2 window with stride 2 of one plane, eight output columns at a time: sixteen
/// input columns split into their even and odd halves are the windows' left and right
/// columns. Same choice as the general loop (first maximum in row-major order; a NaN wins).
private func maxPool2x2Stride2(_ plane: UnsafePointer<Float>, _ g: ConvolutionGeometry,
                               into out: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>) {
    let outH = g.outputHeight, outW = g.outputWidth, width = g.width
    let lanes = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14)
    for oy in 0..<outH {
        let top = plane + 2 * oy * width, bottom = top + width
        let outRow = out + oy * outW, indexRow = indices + oy * outW
        let topIndex = Int32(2 * oy * width)
        var ox = 0
        while ox + 8 <= outW {
            let upper = UnsafeRawPointer(top + 2 * ox).loadUnaligned(as: SIMD16<Float>.self)
            let lower = UnsafeRawPointer(bottom + 2 * ox).loadUnaligned(as: SIMD16<Float>.self)
            let first = topIndex &+ Int32(2 * ox) &+ lanes
            var best = upper.evenHalf, index = first
            @inline(__always) func consider(_ candidate: SIMD8<Float>, _ offset: Int32) {
                let take = (candidate .> best) .| (candidate .!= candidate)
                best.replace(with: candidate, where: take)
                index.replace(with: first &+ offset, where: take)
            }
            consider(upper.oddHalf, 1)
            consider(lower.evenHalf, Int32(width))
            consider(lower.oddHalf, Int32(width + 1))
            store8(best, outRow + ox)
            UnsafeMutableRawPointer(indexRow + ox).storeBytes(of: index, as: SIMD8<Int32>.self)
            ox += 8
        }
        for ox in ox..<outW {
            let first = 2 * ox
            let topLeft = 2 * oy * width + first
            var best = plane[topLeft], bestIndex = topLeft
            @inline(__always) func consider(_ index: Int) {
                if plane[index] > best || plane[index].isNaN { best = plane[index]; bestIndex = index }
            }
            consider(topLeft + 1)
            consider(topLeft + width)
            consider(topLeft + width + 1)
            outRow[ox] = best
            indexRow[ox] = Int32(bestIndex)
        }
    }
}

/// ResNet's stem pooling (3x3 window, stride 2, padding 1) of one plane, eight output columns
/// at a time. Each input row is split into its even and odd columns (padding as -infinity), so
/// the windows' three columns `2ox - 1, 2ox, 2ox + 1` are the contiguous vectors `even[ox]`,
/// `odd[ox]`, `even[ox + 1]` of the padded row; comparisons become vector selects. Same choice
/// as the general loop: the first maximum in row-major order, a NaN wins (the last one).
private func maxPool3x3Stride2(_ plane: UnsafePointer<Float>, _ g: ConvolutionGeometry,
                               into out: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>) {
    let outH = g.outputHeight, outW = g.outputWidth, width = g.width
    withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * (outW + 8) + 2) { scratch in
        // Padded column p = input column p - 1: even[i] = column 2i - 1, odd[i] = column 2i.
        let even = scratch.baseAddress!, odd = even + outW + 9
        let lanes = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14)
        for oy in 0..<outH {
            let yStart = Swift.max(2 * oy - 1, 0), yEnd = Swift.min(2 * oy + 2, g.height)
            let outRow = out + oy * outW, indexRow = indices + oy * outW
            outRow.update(repeating: -.infinity, count: outW)
            for ox in 0..<outW { indexRow[ox] = Int32(yStart * width + Swift.max(2 * ox - 1, 0)) }
            for y in yStart..<yEnd {
                let row = plane + y * width
                for i in 0...outW {
                    let left = 2 * i - 1, right = 2 * i
                    even[i] = left >= 0 && left < width ? row[left] : -.infinity
                    odd[i] = right < width ? row[right] : -.infinity
                }
                let rowBase = Int32(y * width)
                var ox = 0
                while ox + 8 <= outW {
                    let a = load8(even + ox), b = load8(odd + ox), c = load8(even + ox + 1)
                    let first = Int32(2 * ox - 1) &+ lanes
                    var best = a, column = first
                    var take = (b .> best) .| (b .!= b)
                    best.replace(with: b, where: take)
                    column.replace(with: first &+ 1, where: take)
                    take = (c .> best) .| (c .!= c)
                    best.replace(with: c, where: take)
                    column.replace(with: first &+ 2, where: take)
                    let current = load8(outRow + ox)
                    take = (best .> current) .| (best .!= best)
                    store8(current.replacing(with: best, where: take), outRow + ox)
                    let index = UnsafeRawPointer(indexRow + ox).loadUnaligned(as: SIMD8<Int32>.self)
                    // Column -1 (padding, all -infinity) counts as column 0; arithmetic, not a
                    // masked select, which would not vectorize without SSE4.
                    let chosen = rowBase &+ (column & ~(column &>> 31))
                    UnsafeMutableRawPointer(indexRow + ox).storeBytes(of: index.replacing(with: chosen, where: take), as: SIMD8<Int32>.self)
                    ox += 8
                }
                for ox in ox..<outW {
                    var best = even[ox], column = 2 * ox - 1
                    if odd[ox] > best || odd[ox].isNaN { best = odd[ox]; column = 2 * ox }
                    if even[ox + 1] > best || even[ox + 1].isNaN { best = even[ox + 1]; column = 2 * ox + 1 }
                    if best > outRow[ox] || best.isNaN {
                        outRow[ox] = best
                        indexRow[ox] = rowBase + Int32(Swift.max(column, 0))
                    }
                }
            }
        }
    }
}

@inline(__always) private func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) private func store8(_ value: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: value, as: SIMD8<Float>.self)
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
public func avgPool2d(_ input: Tensor, kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) -> Tensor {
    precondition(input.rank == 4, "avgPool2d: expected input [N, C, H, W], got \(input.shape)")
    let g = ConvolutionGeometry(input: input.shape, kernel: kernel, stride: stride ?? kernel, padding: padding)
    precondition(g.outputHeight > 0 && g.outputWidth > 0, "avgPool2d: input \(input.shape) is smaller than the \(kernel.0)x\(kernel.1) window")
    let windows = (0..<g.outputHeight).flatMap { oy in
        (0..<g.outputWidth).map { ox -> PoolWindow in
            let y0 = oy * g.strideY - g.paddingY, x0 = ox * g.strideX - g.paddingX
            let y1 = Swift.min(y0 + g.kernelHeight, g.height + g.paddingY), x1 = Swift.min(x0 + g.kernelWidth, g.width + g.paddingX)
            return PoolWindow(y: Swift.max(y0, 0)..<Swift.min(y1, g.height), x: Swift.max(x0, 0)..<Swift.min(x1, g.width),
                              divisor: Float((y1 - y0) * (x1 - x0)))
        }
    }
    return averageOverWindows(input, windows: windows, outputSize: (g.outputHeight, g.outputWidth), operation: "avgPool2d")
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

private func averageOverWindows(_ input: Tensor, windows: [PoolWindow], outputSize: (Int, Int), operation: String) -> Tensor {
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
