import NN
import Tensor
import TestSupport
import Testing

/// The layer around ``convTranspose2d(_:weight:bias:stride:padding:outputPadding:)`` (whose
/// values and gradients ``LayerTests`` checks against PyTorch): PyTorch's names, weight layout,
/// initialization bounds, sizes and printout.
@Suite struct ConvTranspose2dTests {
    @Test func layerIsPyTorchs() {
        var generator = RandomGenerator(seed: 0)
        let layer = ConvTranspose2d(6, 4, kernelSize: 4, stride: 2, padding: 1, using: &generator)
        #expect(layer.stateDict().map(\.name) == ["weight", "bias"])
        #expect(layer.weight.shape == [6, 4, 4, 4], "[in, out, kH, kW], as PyTorch")
        // PyTorch's fan-in of this weight is out * kH * kW: bound 1 / sqrt(64).
        let bound: Float = 1 / 8
        #expect(layer.weight.value.scalars.allSatisfy { abs($0) <= bound })
        #expect(layer.weight.value.scalars.contains { abs($0) > bound * 0.9 }, "drawn from the whole range")
        #expect(layer.bias!.value.scalars.allSatisfy { abs($0) <= bound })
        #expect(layer.description == "ConvTranspose2d(6, 4, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1))")
        let output = layer(Tensor.randomNormal([2, 6, 7, 5], using: &generator))
        #expect(output.shape == [2, 4, 14, 10], "(7 - 1) * 2 - 2 + 4 = 14")
    }

    @Test func outputPaddingAndNoBiasArePrinted() {
        var generator = RandomGenerator(seed: 0)
        let layer = ConvTranspose2d(
            2, 3, kernelSize: (3, 2), stride: (2, 3), padding: (0, 1), outputPadding: (1, 2), bias: false,
            using: &generator)
        #expect(layer.stateDict().map(\.name) == ["weight"])
        #expect(
            layer.description
                == "ConvTranspose2d(2, 3, kernel_size=(3, 2), stride=(2, 3), padding=(0, 1), output_padding=(1, 2), bias=False)"
        )
        #expect(
            layer(Tensor.zeros([1, 2, 3, 4])).shape == [1, 3, 8, 11],
            "(3 - 1) * 2 + 3 + 1 = 8, (4 - 1) * 3 - 2 + 2 + 2 = 11")
    }

    /// A batch is computed in groups of images gathered into one product (5 images: groups of 3
    /// and 2 on two threads, one group of 5 on one): each image's output, input gradient and
    /// share of the weight and bias gradients are the ones of the image computed alone.
    @Test func groupedImagesGiveEachImagesResult() {
        var generator = RandomGenerator(seed: 1)
        let input = Tensor.randomNormal([5, 3, 4, 3], using: &generator)
        let weight = Tensor.randomNormal([3, 2, 4, 4], using: &generator),
            bias = Tensor.randomNormal([2], using: &generator)
        let outputGradient = Tensor.randomNormal([5, 2, 8, 6], using: &generator)

        func run(_ x: Tensor, _ gradient: Tensor) -> (output: Tensor, input: Tensor, weight: Tensor, bias: Tensor) {
            var (x, w, b) = (x, weight, bias)
            x.requiresGrad = true
            w.requiresGrad = true
            b.requiresGrad = true
            let output = convTranspose2d(x, weight: w, bias: b, stride: (2, 2), padding: (1, 1))
            output.backward(gradient: gradient)
            return (output.detached(), x.grad!, w.grad!, b.grad!)
        }
        let whole = run(input, outputGradient)
        var weightSum = Tensor.zeros(weight.shape), biasSum = Tensor.zeros(bias.shape)
        for image in 0..<5 {
            let alone = run(
                input.slice(axis: 0, image..<(image + 1)), outputGradient.slice(axis: 0, image..<(image + 1)))
            #expect(
                whole.output.slice(axis: 0, image..<(image + 1)).allClose(alone.output, rtol: 1e-5, atol: 1e-5),
                "image \(image)")
            #expect(
                whole.input.slice(axis: 0, image..<(image + 1)).allClose(alone.input, rtol: 1e-5, atol: 1e-5),
                "image \(image)")
            weightSum = weightSum + alone.weight
            biasSum = biasSum + alone.bias
        }
        #expect(
            whole.weight.allClose(weightSum, rtol: 1e-4, atol: 1e-4), "\(differenceReport(whole.weight, weightSum))")
        #expect(whole.bias.allClose(biasSum, rtol: 1e-4, atol: 1e-4))
    }
}
