import Synchronization
import Tensor

/// Runs `body(i)` for `i` in `0..<count`, over the compute threads when `parallel`.
@inline(__always)
func loop(_ parallel: Bool, _ count: Int, _ body: (Int) -> Void) {
    if parallel { parallelFor(count, body) } else { for i in 0..<count { body(i) } }
}

/// Unfolds images `images` of the input `[N, C, H, W]` into the patch matrix
/// `[C * kH * kW, images.count * outH * outW]` (row = channel and kernel offset, column =
/// image and output position), zero outside the image.
func im2col(
    _ input: UnsafePointer<Float>, _ g: ConvolutionGeometry, images: Range<Int>,
    into columns: UnsafeMutablePointer<Float>, parallel: Bool
) {
    let kernelArea = g.kernelHeight * g.kernelWidth
    let rowLength = images.count * g.outputPlane
    let outH = g.outputHeight, outW = g.outputWidth
    loop(parallel, images.count * g.channels) { job in
        let local = job / g.channels, c = job % g.channels
        let plane = input + ((images.lowerBound + local) * g.channels + c) * g.height * g.width
        for ky in 0..<g.kernelHeight {
            for kx in 0..<g.kernelWidth {
                let row = columns + (c * kernelArea + ky * g.kernelWidth + kx) * rowLength + local * g.outputPlane
                let offsetX = kx * g.dilationX - g.paddingX
                let (firstX, lastX) = g.columnsInside(offsetX: offsetX)
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
                        if lastX - firstX >= 16 {
                            (destination + firstX).update(from: source + firstX, count: lastX - firstX)
                        } else {
                            for ox in firstX..<lastX { destination[ox] = source[ox] }
                        }
                    } else if g.strideX == 2 {
                        for ox in firstX..<lastX { destination[ox] = source[2 * ox] }
                    } else {
                        for ox in firstX..<lastX { destination[ox] = source[ox * g.strideX] }
                    }
                    for ox in lastX..<outW { destination[ox] = 0 }
                }
            }
        }
    }
}

/// The adjoint of ``im2col(_:_:images:into:parallel:)``: writes the gradient of images
/// `images` of the input (overwriting those planes) by adding each patch-matrix entry back
/// onto the input position it was read from.
func col2im(
    _ columns: UnsafePointer<Float>, _ g: ConvolutionGeometry, images: Range<Int>,
    into gradInput: UnsafeMutablePointer<Float>, parallel: Bool
) {
    let kernelArea = g.kernelHeight * g.kernelWidth
    let rowLength = images.count * g.outputPlane
    let outH = g.outputHeight, outW = g.outputWidth
    loop(parallel, images.count * g.channels) { job in
        let local = job / g.channels, c = job % g.channels
        let plane = gradInput + ((images.lowerBound + local) * g.channels + c) * g.height * g.width
        plane.update(repeating: 0, count: g.height * g.width)
        for ky in 0..<g.kernelHeight {
            for kx in 0..<g.kernelWidth {
                let row = columns + (c * kernelArea + ky * g.kernelWidth + kx) * rowLength + local * g.outputPlane
                let offsetX = kx * g.dilationX - g.paddingX
                let (firstX, lastX) = g.columnsInside(offsetX: offsetX)
                for oy in 0..<outH {
                    let y = oy * g.strideY + ky * g.dilationY - g.paddingY
                    if y < 0 || y >= g.height { continue }
                    let source = row + oy * outW
                    let destination = plane + y * g.width + offsetX
                    if g.strideX == 1 {
                        for ox in firstX..<lastX { destination[ox] += source[ox] }
                    } else if g.strideX == 2 {
                        for ox in firstX..<lastX { destination[2 * ox] += source[ox] }
                    } else {
                        for ox in firstX..<lastX { destination[ox * g.strideX] += source[ox] }
                    }
                }
            }
        }
    }
}

/// 2-D convolution (cross-correlation, as `torch.nn.functional.conv2d`), optionally followed
/// by a fused activation (`activation: .relu` computes `conv2d(...).relu()` exactly, in the
/// same pass). Computed over groups of images (see `ConvolutionPlan`) on reused scratch
/// buffers, with matrix products `weight [O, C*kH*kW] x im2col(images)`, or for 3x3 stride-1
/// layers with 64 channels or more by Winograd's method (`WinogradConvolution`).
///
/// Shape: input `[N, C, H, W]`, weight `[O, C, kH, kW]`, bias `[O]` -> `[N, O, outH, outW]`.
public func conv2d(
    _ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
    padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1),
    activation: FusedActivation = .identity
) -> Tensor {
    conv2d(
        input, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, activation: activation,
        algorithm: .automatic)
}

/// `kernelCache` keeps Winograd's transformed kernels between calls (see ``WinogradKernelCache``).
package func conv2d(
    _ input: Tensor, weight: Tensor, bias: Tensor?, stride: (Int, Int), padding: (Int, Int),
    dilation: (Int, Int), activation: FusedActivation, algorithm: ConvolutionAlgorithm,
    kernelCache: WinogradKernelCache? = nil
) -> Tensor {
    precondition(
        input.rank == 4 && weight.rank == 4 && input.shape[1] == weight.shape[1],
        "conv2d: expected input [N, \(weight.shape.count > 1 ? weight.shape[1] : 0), H, W] for weight \(weight.shape), got \(input.shape)"
    )
    let g = ConvolutionGeometry(
        input: input.shape, kernel: (weight.shape[2], weight.shape[3]), stride: stride, padding: padding,
        dilation: dilation)
    precondition(
        g.outputHeight > 0 && g.outputWidth > 0,
        "conv2d: input \(input.shape) is smaller than the \(g.kernelHeight)x\(g.kernelWidth) kernel (padding \(padding), dilation \(dilation))"
    )
    if let bias {
        precondition(bias.shape == [weight.shape[0]], "conv2d: bias shape \(bias.shape), expected [\(weight.shape[0])]")
    }
    let plan = ConvolutionPlan(g)
    let outChannels = weight.shape[0]
    let winograd: Bool
    switch algorithm {
    case .automatic:
        winograd =
            WinogradConvolution.supports(g)
            && WinogradConvolution.paysOff(g, outChannels: outChannels, kernelsReady: kernelCache != nil)
    case .im2col: winograd = false
    case .winograd:
        precondition(
            WinogradConvolution.supports(g),
            "conv2d: Winograd's method needs a 3x3 stride-1 undilated kernel padded by at most 2")
        winograd = true
    }
    let relu = activation == .relu
    var output = Tensor(uninitializedShape: [g.batch, outChannels, g.outputHeight, g.outputWidth])
    let x = input.unsafeBaseAddress, w = weight.unsafeBaseAddress, b = bias?.unsafeBaseAddress
    let out = output.unsafeMutableBaseAddress()
    if winograd {
        let kernels = kernelCache?.kernels(of: weight, for: WinogradConvolution(g, outChannels: outChannels))
        winogradForward(
            x, weight: w, kernels: kernels?.unsafeBaseAddress, bias: b, relu: relu, plan: plan,
            outChannels: outChannels, into: out)
        withExtendedLifetime(kernels) {}
    } else {
        im2colForward(x, weight: w, bias: b, relu: relu, plan: plan, outChannels: outChannels, into: out)
    }
    withExtendedLifetime((input, weight, bias)) {}
    let inputs = [input, weight] + (bias.map { [$0] } ?? [])
    let saved = relu ? output : nil
    return Tensor.recording(output, inputs: inputs) { gradOutput in
        conv2dBackward(
            gradOutput, input: input, weight: weight, hasBias: bias != nil, reluOutput: saved, plan: plan,
            winograd: winograd)
    }
}

/// The forward pass of a 3x3 stride-1 convolution by Winograd's method, one group of images
/// at a time; with the weight's transformed `kernels` when they are at hand.
private func winogradForward(
    _ x: UnsafePointer<Float>, weight w: UnsafePointer<Float>, kernels: UnsafePointer<Float>?,
    bias b: UnsafePointer<Float>?, relu: Bool, plan: ConvolutionPlan, outChannels: Int,
    into out: UnsafeMutablePointer<Float>
) {
    let g = plan.g, plane = g.outputPlane
    let winograd = WinogradConvolution(g, outChannels: outChannels)
    withScratchBuffer(count: kernels == nil ? winograd.transformedWeightCount : 0) { scratch in
        let u = kernels ?? UnsafePointer(scratch)
        if kernels == nil { winograd.transformWeights(w, into: scratch) }
        plan.run { groups, parallel in
            while let group = groups.next() {
                let images = plan.images(group)
                winograd.run(
                    input: x + images.lowerBound * g.channels * g.height * g.width,
                    imageStride: g.channels * g.height * g.width, channelStride: g.height * g.width,
                    count: images.count, u: u, output: out + images.lowerBound * outChannels * plane,
                    bias: b, relu: relu, parallel: parallel)
            }
        }
    }
}

/// The forward pass as matrix products `weight [O, C*kH*kW] x im2col(images)`, one group of images at a time.
private func im2colForward(
    _ x: UnsafePointer<Float>, weight w: UnsafePointer<Float>, bias b: UnsafePointer<Float>?, relu: Bool,
    plan: ConvolutionPlan, outChannels: Int, into out: UnsafeMutablePointer<Float>
) {
    let g = plan.g, plane = g.outputPlane, patch = g.patchSize
    plan.run { groups, parallel in
        let columnsCount = plan.groupSize * plane
        withScratchBuffer(count: plan.isPointwise && plan.groupSize == 1 ? 0 : patch * columnsCount) { columns in
            withScratchBuffer(count: plan.groupSize == 1 ? 0 : outChannels * columnsCount) { product in
                while let group = groups.next() {
                    let images = plan.images(group), width = images.count * plane
                    let patches = plan.patches(x, images: images, scratch: columns, parallel: parallel)
                    if images.count == 1 {
                        // One image: the product is the output plane block [O, L] itself.
                        let target = out + images.lowerBound * outChannels * plane
                        sgemm(m: outChannels, n: plane, k: patch, a: w, b: patches, c: target)
                        if relu || b != nil {
                            loop(parallel, outChannels) { c in
                                let row = target + c * plane
                                vectorScaleShift(
                                    row, scale: 1, shift: b?[c] ?? 0, adding: nil, relu: relu, into: row, plane)
                            }
                        }
                    } else {
                        // [O, G * L] -> [G, O, L], with bias and activation on the way.
                        sgemm(m: outChannels, n: width, k: patch, a: w, b: patches, c: product)
                        loop(parallel, images.count * outChannels) { job in
                            let local = job / outChannels, c = job % outChannels
                            let from = product + c * width + local * plane
                            let to = out + ((images.lowerBound + local) * outChannels + c) * plane
                            vectorScaleShift(
                                from, scale: 1, shift: b?[c] ?? 0, adding: nil, relu: relu, into: to, plane)
                        }
                    }
                }
            }
        }
    }
}

/// Adds the `slots - 1` partial sums that follow the first `count` values of `partials` into
/// them, in slot order (so the same bits whichever thread added which range).
func addPartialSums(_ partials: UnsafeMutablePointer<Float>, slots: Int, count: Int) {
    parallelRanges(count, minimumPerThread: 65_536) { range in
        for slot in 1..<slots {
            let partial = partials + slot * count
            for i in range { partials[i] += partial[i] }
        }
    }
}

private func conv2dBackward(
    _ gradOutput: Tensor, input: Tensor, weight: Tensor, hasBias: Bool, reluOutput: Tensor?,
    plan: ConvolutionPlan, winograd: Bool
) -> [Tensor?] {
    let g = plan.g
    let outChannels = weight.shape[0], plane = g.outputPlane, patch = g.patchSize
    let needInput = input.requiresGrad
    let x = input.unsafeBaseAddress, w = weight.unsafeBaseAddress, go = gradOutput.unsafeBaseAddress
    let mask = reluOutput?.unsafeBaseAddress
    var gradInput = needInput ? Tensor(uninitializedShape: input.shape) : nil
    let gi = gradInput?.unsafeMutableBaseAddress()
    // Winograd's method computes the kernel gradient in its transformed domain, [16, O, C].
    let transformed = winograd ? WinogradConvolution(g, outChannels: outChannels) : nil
    let weightCount = transformed?.transformedWeightCount ?? outChannels * patch
    // Partial weight and bias gradients, summed at the end in a fixed order.
    let slots = plan.partialSumSlots
    var partialWeights = plan.partialSums(count: weightCount)
    var partialBiases = Tensor(repeating: 0, shape: [slots, outChannels])
    let gw = partialWeights.unsafeMutableBaseAddress(), gb = partialBiases.unsafeMutableBaseAddress()
    // The input gradient of a 3x3 stride-1 convolution is a convolution itself: Winograd's.
    let inputGradient = needInput ? transformed?.inputGradient : nil
    withScratchBuffer(count: inputGradient?.transformedWeightCount ?? 0) { rotatedWeights in
        inputGradient?.transformWeights(w, rotatedFrom: true, into: rotatedWeights)
        plan.run { groups, parallel in
            let columnsCount = plan.groupSize * plane
            let direct = mask == nil && plan.groupSize == 1
            withScratchBuffer(
                count: transformed != nil || (plan.isPointwise && plan.groupSize == 1) ? 0 : patch * columnsCount
            ) { columns in
                withScratchBuffer(count: direct ? 0 : outChannels * columnsCount) { gradMatrix in
                    while let group = groups.next() {
                        let images = plan.images(group), width = images.count * plane
                        let slot = slots == 1 ? 0 : group, overwrite = slots > 1 || group == 0
                        let gradWeight = gw + slot * weightCount, gradBias = gb + slot * outChannels
                        // The output gradient as [O, G * L] (through the ReLU mask when fused).
                        let gm: UnsafePointer<Float>
                        if direct {
                            gm = go + images.lowerBound * outChannels * plane
                        } else {
                            loop(parallel, images.count * outChannels) { job in
                                let local = job / outChannels, c = job % outChannels
                                let offset = ((images.lowerBound + local) * outChannels + c) * plane
                                let from = go + offset, to = gradMatrix + c * width + local * plane
                                if let mask {
                                    vectorMaskedCopy(from, mask: mask + offset, into: to, plane)
                                } else {
                                    to.update(from: from, count: plane)
                                }
                            }
                            gm = UnsafePointer(gradMatrix)
                        }
                        if hasBias {
                            loop(parallel, outChannels) { c in
                                gradBias[c] += vectorSum(gm + c * width, width)
                            }
                        }
                        if let transformed {
                            let image = g.channels * g.height * g.width
                            transformed.accumulateWeightGradient(
                                input: x + images.lowerBound * image, imageStride: image,
                                channelStride: g.height * g.width,
                                gradOutput: gm, gradImageStride: plane, gradChannelStride: width, count: images.count,
                                into: gradWeight, overwrite: overwrite, parallel: parallel)
                        } else {
                            let patches = plan.patches(x, images: images, scratch: columns, parallel: parallel)
                            sgemm(
                                transposeB: true, m: outChannels, n: patch, k: width, a: gm, b: patches,
                                beta: overwrite ? 0 : 1, c: gradWeight)
                        }
                        if let gi {
                            if let inputGradient {
                                inputGradient.run(
                                    input: gm, imageStride: plane, channelStride: width, count: images.count,
                                    u: rotatedWeights, output: gi + images.lowerBound * g.channels * g.height * g.width,
                                    bias: nil, relu: false, parallel: parallel)
                            } else if plan.isPointwise && plan.groupSize == 1 {
                                sgemm(
                                    transposeA: true, m: patch, n: width, k: outChannels, a: w, b: gm,
                                    c: gi + images.lowerBound * g.channels * plane)
                            } else {
                                // The patch buffer is free again: reuse it for the patch gradients.
                                sgemm(transposeA: true, m: patch, n: width, k: outChannels, a: w, b: gm, c: columns)
                                col2im(columns, g, images: images, into: gi, parallel: parallel)
                            }
                        }
                    }
                }
            }
        }
    }
    addPartialSums(gw, slots: slots, count: weightCount)
    var gradWeight = Tensor(uninitializedShape: weight.shape)
    if let transformed {
        transformed.weightGradient(from: gw, into: gradWeight.unsafeMutableBaseAddress())
    } else {
        gradWeight.unsafeMutableBaseAddress().update(from: gw, count: weightCount)
    }
    var gradBias: Tensor? = nil
    if hasBias {
        var sums = Tensor(uninitializedShape: [outChannels])
        let s = sums.unsafeMutableBaseAddress()
        for c in 0..<outChannels {
            var sum = gb[c]
            for slot in 1..<slots { sum += gb[slot * outChannels + c] }
            s[c] = sum
        }
        gradBias = sums
    }
    withExtendedLifetime((input, weight, gradOutput, reluOutput, partialWeights, partialBiases)) {}
    return [gradInput, gradWeight] + (hasBias ? [gradBias] : [])
}
