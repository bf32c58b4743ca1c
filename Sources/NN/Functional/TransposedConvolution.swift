import Tensor

/// 2-D transposed convolution, as `torch.nn.functional.conv_transpose2d` (no groups, no
/// dilation): the adjoint of ``conv2d(_:weight:bias:stride:padding:dilation:activation:)``
/// with the same weight, stride and padding. Each input position adds its channels' weighted
/// kernels onto the output, `stride` output positions apart; `padding` crops the border and
/// `outputPadding` (less than the stride) adds rows and columns at the bottom and right.
///
/// Computed over groups of images as ``conv2d(_:weight:bias:stride:padding:dilation:activation:)``
/// is (its `ConvolutionPlan`), one matrix product `weight^T [O*kH*kW, C] x input [C, G*H*W]`
/// per group folded onto the output (col2im); the input's gradient is `conv2d` of the output's
/// gradient with the same weight.
///
/// Shape: input `[N, C, H, W]`, weight `[C, O, kH, kW]`, bias `[O]` ->
/// `[N, O, (H - 1) * stride - 2 * padding + kH + outputPadding, (W - 1) * ... + kW + ...]`.
public func convTranspose2d(
    _ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
    padding: (Int, Int) = (0, 0), outputPadding: (Int, Int) = (0, 0)
) -> Tensor {
    precondition(
        input.rank == 4 && weight.rank == 4 && input.shape[1] == weight.shape[0],
        "convTranspose2d: expected input [N, \(weight.shape.first ?? 0), H, W] for weight \(weight.shape), got \(input.shape)"
    )
    precondition(
        stride.0 > 0 && stride.1 > 0 && padding.0 >= 0 && padding.1 >= 0,
        "convTranspose2d: expected a positive stride and non-negative padding, got stride \(stride), padding \(padding)"
    )
    precondition(
        outputPadding.0 >= 0 && outputPadding.0 < stride.0 && outputPadding.1 >= 0 && outputPadding.1 < stride.1,
        "convTranspose2d: output padding \(outputPadding) must be smaller than the stride \(stride)")
    let (batch, inChannels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    let (outChannels, kernelHeight, kernelWidth) = (weight.shape[1], weight.shape[2], weight.shape[3])
    let outputHeight = (height - 1) * stride.0 - 2 * padding.0 + kernelHeight + outputPadding.0
    let outputWidth = (width - 1) * stride.1 - 2 * padding.1 + kernelWidth + outputPadding.1
    precondition(
        outputHeight > 0 && outputWidth > 0,
        "convTranspose2d: padding \(padding) leaves no output for input \(input.shape) and a \(kernelHeight)x\(kernelWidth) kernel"
    )
    if let bias {
        precondition(
            bias.shape == [outChannels], "convTranspose2d: bias shape \(bias.shape), expected [\(outChannels)]")
    }
    // The convolution this one is the adjoint of: from the output back to the input.
    let g = ConvolutionGeometry(
        input: [batch, outChannels, outputHeight, outputWidth], kernel: (kernelHeight, kernelWidth),
        stride: stride, padding: padding)
    let plan = ConvolutionPlan(g)  // groups of images over the workers, as conv2d's
    let positions = height * width, patch = g.patchSize, outputPlane = outputHeight * outputWidth
    var output = Tensor(uninitializedShape: [batch, outChannels, outputHeight, outputWidth])
    let x = input.unsafeBaseAddress, w = weight.unsafeBaseAddress, b = bias?.unsafeBaseAddress
    let out = output.unsafeMutableBaseAddress()
    plan.run { groups, parallel in
        withScratchBuffer(count: plan.groupSize > 1 ? inChannels * plan.groupSize * positions : 0) { gathered in
            withScratchBuffer(count: patch * plan.groupSize * positions) { columns in
                while let group = groups.next() {
                    let images = plan.images(group)
                    let matrix = inputMatrix(
                        x, images: images, channels: inChannels, positions: positions, into: gathered,
                        parallel: parallel)
                    sgemm(
                        transposeA: true, m: patch, n: images.count * positions, k: inChannels, a: w, b: matrix,
                        c: columns)
                    col2im(columns, g, images: images, into: out, parallel: parallel)
                    if let b {
                        loop(parallel, images.count * outChannels) { job in
                            let values = out + (images.lowerBound * outChannels + job) * outputPlane,
                                value = b[job % outChannels]
                            for i in 0..<outputPlane { values[i] += value }
                        }
                    }
                }
            }
        }
    }
    withExtendedLifetime((input, weight, bias)) {}
    let inputs = [input, weight] + (bias.map { [$0] } ?? [])
    return Tensor.recording(output, inputs: inputs) { gradOutput in
        let gradInput = input.requiresGrad ? conv2d(gradOutput, weight: weight, stride: stride, padding: padding) : nil
        // weight [C, O*kH*kW]: the sum over the groups of input [C, G*H*W] x im2col(gradOutput)^T,
        // in the plan's partial sums (added in group order).
        let slots = plan.partialSumSlots, weightCount = inChannels * patch
        var partialWeights = plan.partialSums(count: weightCount)
        let go = gradOutput.unsafeBaseAddress, gw = partialWeights.unsafeMutableBaseAddress()
        plan.run { groups, parallel in
            withScratchBuffer(count: plan.groupSize > 1 ? inChannels * plan.groupSize * positions : 0) { gathered in
                withScratchBuffer(count: patch * plan.groupSize * positions) { columns in
                    while let group = groups.next() {
                        let images = plan.images(group), slot = slots == 1 ? 0 : group
                        let matrix = inputMatrix(
                            x, images: images, channels: inChannels, positions: positions, into: gathered,
                            parallel: parallel)
                        im2col(go, g, images: images, into: columns, parallel: parallel)
                        sgemm(
                            transposeB: true, m: inChannels, n: patch, k: images.count * positions, a: matrix,
                            b: columns,
                            beta: slots > 1 || group == 0 ? 0 : 1, c: gw + slot * weightCount)
                    }
                }
            }
        }
        addPartialSums(gw, slots: slots, count: weightCount)
        var gradWeight = Tensor(uninitializedShape: weight.shape)
        gradWeight.unsafeMutableBaseAddress().update(from: gw, count: weightCount)
        var gradBias: Tensor? = nil
        if bias != nil {
            var sums = Tensor(repeating: 0, shape: [outChannels])
            let s = sums.unsafeMutableBaseAddress()
            for image in 0..<batch {
                for channel in 0..<outChannels {
                    s[channel] += vectorSum(go + (image * outChannels + channel) * outputPlane, outputPlane)
                }
            }
            gradBias = sums
        }
        withExtendedLifetime((input, gradOutput, partialWeights)) {}
        return [gradInput, gradWeight] + (bias != nil ? [gradBias] : [])
    }
}

/// Images `images` of `input` `[N, C, L]` as one matrix `[C, images.count * L]` (row = channel,
/// column = image and position): the input itself for one image, else gathered into `scratch`.
private func inputMatrix(
    _ input: UnsafePointer<Float>, images: Range<Int>, channels: Int, positions: Int,
    into scratch: UnsafeMutablePointer<Float>, parallel: Bool
) -> UnsafePointer<Float> {
    if images.count == 1 { return input + images.lowerBound * channels * positions }
    let width = images.count * positions
    loop(parallel, images.count * channels) { job in
        let local = job / channels, channel = job % channels
        (scratch + channel * width + local * positions).update(
            from: input + ((images.lowerBound + local) * channels + channel) * positions,
            count: positions)
    }
    return UnsafePointer(scratch)
}
