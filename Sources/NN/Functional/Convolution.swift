import Tensor

/// The sizes of one 2-D convolution (or pooling) window sweep, as PyTorch computes them:
/// `out = (in + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1`.
public struct ConvolutionGeometry: Sendable, Equatable {
    public var batch, channels, height, width: Int
    public var kernelHeight, kernelWidth: Int
    public var strideY, strideX: Int
    public var paddingY, paddingX: Int
    public var dilationY, dilationX: Int

    public var outputHeight: Int { (height + 2 * paddingY - dilationY * (kernelHeight - 1) - 1) / strideY + 1 }
    public var outputWidth: Int { (width + 2 * paddingX - dilationX * (kernelWidth - 1) - 1) / strideX + 1 }
    /// Output positions per image and channel.
    public var outputPlane: Int { outputHeight * outputWidth }
    /// Rows of the im2col matrix: one per (channel, kernel row, kernel column).
    public var patchSize: Int { channels * kernelHeight * kernelWidth }

    public init(input shape: [Int], kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int) = (1, 1)) {
        (batch, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
        (kernelHeight, kernelWidth) = kernel
        (strideY, strideX) = stride
        (paddingY, paddingX) = padding
        (dilationY, dilationX) = dilation
    }
}

/// Unfolds the input `[N, C, H, W]` into the patch matrix `[C * kH * kW, N * outH * outW]`
/// (row = channel and kernel offset, column = image and output position), zero outside the
/// image. Spread over (image, channel) pairs, which write disjoint blocks.
func im2col(_ input: UnsafePointer<Float>, _ g: ConvolutionGeometry, into columns: UnsafeMutablePointer<Float>) {
    let kernelArea = g.kernelHeight * g.kernelWidth
    let rowLength = g.batch * g.outputPlane
    let outH = g.outputHeight, outW = g.outputWidth
    parallelFor(g.batch * g.channels) { job in
        let n = job / g.channels, c = job % g.channels
        let plane = input + (n * g.channels + c) * g.height * g.width
        for ky in 0..<g.kernelHeight {
            for kx in 0..<g.kernelWidth {
                let row = columns + (c * kernelArea + ky * g.kernelWidth + kx) * rowLength + n * g.outputPlane
                let offsetX = kx * g.dilationX - g.paddingX
                // Output columns whose input x falls inside the image.
                let firstX = offsetX >= 0 ? 0 : Swift.min(outW, (-offsetX + g.strideX - 1) / g.strideX)
                let lastX = Swift.max(firstX, Swift.min(outW, (g.width - offsetX + g.strideX - 1) / g.strideX))
                for oy in 0..<outH {
                    let y = oy * g.strideY + ky * g.dilationY - g.paddingY
                    let destination = row + oy * outW
                    if y < 0 || y >= g.height {
                        destination.update(repeating: 0, count: outW)
                        continue
                    }
                    let source = plane + y * g.width + offsetX
                    for ox in 0..<firstX { destination[ox] = 0 }
                    if g.strideX == 1 {
                        (destination + firstX).update(from: source + firstX, count: lastX - firstX)
                    } else {
                        for ox in firstX..<lastX { destination[ox] = source[ox * g.strideX] }
                    }
                    for ox in lastX..<outW { destination[ox] = 0 }
                }
            }
        }
    }
}

/// The adjoint of ``im2col``: adds each patch-matrix entry back onto the input position it
/// was read from. `gradInput` must be zeroed first.
func col2im(_ columns: UnsafePointer<Float>, _ g: ConvolutionGeometry, into gradInput: UnsafeMutablePointer<Float>) {
    let kernelArea = g.kernelHeight * g.kernelWidth
    let rowLength = g.batch * g.outputPlane
    let outH = g.outputHeight, outW = g.outputWidth
    parallelFor(g.batch * g.channels) { job in
        let n = job / g.channels, c = job % g.channels
        let plane = gradInput + (n * g.channels + c) * g.height * g.width
        for ky in 0..<g.kernelHeight {
            for kx in 0..<g.kernelWidth {
                let row = columns + (c * kernelArea + ky * g.kernelWidth + kx) * rowLength + n * g.outputPlane
                let offsetX = kx * g.dilationX - g.paddingX
                let firstX = offsetX >= 0 ? 0 : Swift.min(outW, (-offsetX + g.strideX - 1) / g.strideX)
                let lastX = Swift.max(firstX, Swift.min(outW, (g.width - offsetX + g.strideX - 1) / g.strideX))
                for oy in 0..<outH {
                    let y = oy * g.strideY + ky * g.dilationY - g.paddingY
                    if y < 0 || y >= g.height { continue }
                    let source = row + oy * outW
                    let destination = plane + y * g.width + offsetX
                    for ox in firstX..<lastX { destination[ox * g.strideX] += source[ox] }
                }
            }
        }
    }
}

/// 2-D convolution (cross-correlation, as `torch.nn.functional.conv2d`), computed as one
/// matrix product over the whole batch: `weight [O, C*kH*kW] x im2col(input)`.
///
/// Shape: input `[N, C, H, W]`, weight `[O, C, kH, kW]`, bias `[O]` -> `[N, O, outH, outW]`.
public func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                   padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1)) -> Tensor {
    precondition(input.rank == 4 && weight.rank == 4 && input.shape[1] == weight.shape[1],
                 "conv2d: expected input [N, \(weight.shape.count > 1 ? weight.shape[1] : 0), H, W] for weight \(weight.shape), got \(input.shape)")
    let g = ConvolutionGeometry(input: input.shape, kernel: (weight.shape[2], weight.shape[3]), stride: stride, padding: padding, dilation: dilation)
    precondition(g.outputHeight > 0 && g.outputWidth > 0,
                 "conv2d: input \(input.shape) is smaller than the \(g.kernelHeight)x\(g.kernelWidth) kernel (padding \(padding), dilation \(dilation))")
    if let bias { precondition(bias.shape == [weight.shape[0]], "conv2d: bias shape \(bias.shape), expected [\(weight.shape[0])]") }
    let outChannels = weight.shape[0], plane = g.outputPlane, columnsCount = g.batch * plane
    var product = Tensor(uninitializedShape: [outChannels, columnsCount])
    var columns = Tensor(uninitializedShape: [g.patchSize, columnsCount])
    input.withUnsafeBufferPointer { x in columns.withUnsafeMutableBufferPointer { im2col(x.baseAddress!, g, into: $0.baseAddress!) } }
    weight.withUnsafeBufferPointer { w in
        columns.withUnsafeBufferPointer { cols in
            product.withUnsafeMutableBufferPointer { p in
                sgemm(m: outChannels, n: columnsCount, k: g.patchSize, a: w.baseAddress!, b: cols.baseAddress!, c: p.baseAddress!)
            }
        }
    }
    // [O, N * L] -> [N, O, L], adding the bias on the way.
    var output = Tensor(uninitializedShape: [g.batch, outChannels, g.outputHeight, g.outputWidth])
    let biasValues = bias?.scalars
    product.withUnsafeBufferPointer { p in
        output.withUnsafeMutableBufferPointer { o in
            let source = UncheckedSendable(p.baseAddress!), destination = UncheckedSendable(o.baseAddress!)
            parallelFor(g.batch) { n in
                for c in 0..<outChannels {
                    let from = source.value + c * columnsCount + n * plane
                    let to = destination.value + (n * outChannels + c) * plane
                    let shift = biasValues?[c] ?? 0
                    for i in 0..<plane { to[i] = from[i] + shift }
                }
            }
        }
    }
    columns = Tensor.zeros([0])
    let inputs = [input, weight] + (bias.map { [$0] } ?? [])
    return Tensor.recording(output, inputs: inputs) { gradOutput in
        conv2dBackward(gradOutput, input: input, weight: weight, hasBias: bias != nil, geometry: g)
    }
}

private func conv2dBackward(_ gradOutput: Tensor, input: Tensor, weight: Tensor, hasBias: Bool, geometry g: ConvolutionGeometry) -> [Tensor?] {
    let outChannels = weight.shape[0], plane = g.outputPlane, columnsCount = g.batch * plane
    // [N, O, L] -> [O, N * L]
    var gradMatrix = Tensor(uninitializedShape: [outChannels, columnsCount])
    gradOutput.withUnsafeBufferPointer { go in
        gradMatrix.withUnsafeMutableBufferPointer { gm in
            let source = UncheckedSendable(go.baseAddress!), destination = UncheckedSendable(gm.baseAddress!)
            parallelFor(g.batch) { n in
                for c in 0..<outChannels {
                    (destination.value + c * columnsCount + n * plane).update(from: source.value + (n * outChannels + c) * plane, count: plane)
                }
            }
        }
    }
    var gradBias: Tensor? = nil
    if hasBias {
        var sums = Tensor(uninitializedShape: [outChannels])
        gradMatrix.withUnsafeBufferPointer { gm in
            sums.withUnsafeMutableBufferPointer { s in
                for c in 0..<outChannels {
                    var total: Float = 0
                    let row = gm.baseAddress! + c * columnsCount
                    for i in 0..<columnsCount { total += row[i] }
                    s[c] = total
                }
            }
        }
        gradBias = sums
    }
    var columns = Tensor(uninitializedShape: [g.patchSize, columnsCount])
    input.withUnsafeBufferPointer { x in columns.withUnsafeMutableBufferPointer { im2col(x.baseAddress!, g, into: $0.baseAddress!) } }
    var gradWeight = Tensor(uninitializedShape: weight.shape)
    gradMatrix.withUnsafeBufferPointer { gm in
        columns.withUnsafeBufferPointer { cols in
            gradWeight.withUnsafeMutableBufferPointer { gw in
                sgemm(transposeB: true, m: outChannels, n: g.patchSize, k: columnsCount, a: gm.baseAddress!, b: cols.baseAddress!, c: gw.baseAddress!)
            }
        }
    }
    var gradInput: Tensor? = nil
    if input.requiresGrad {
        // Reuse the patch buffer for the patch gradients.
        weight.withUnsafeBufferPointer { w in
            gradMatrix.withUnsafeBufferPointer { gm in
                columns.withUnsafeMutableBufferPointer { cols in
                    sgemm(transposeA: true, m: g.patchSize, n: columnsCount, k: outChannels, a: w.baseAddress!, b: gm.baseAddress!, c: cols.baseAddress!)
                }
            }
        }
        var result = Tensor.zeros(input.shape)
        columns.withUnsafeBufferPointer { cols in result.withUnsafeMutableBufferPointer { col2im(cols.baseAddress!, g, into: $0.baseAddress!) } }
        gradInput = result
    }
    return [gradInput, gradWeight] + (hasBias ? [gradBias] : [])
}
