import NN
import Tensor
import TestSupport
import Testing

/// The fused operations (convolution + ReLU, batch norm + residual + ReLU) against the
/// unfused compositions they replace, forward and backward, for batch sizes that take each
/// path of the convolution plan (one image, grouped images, images spread over threads),
/// and against finite differences.
@Suite struct FusedOperationTests {
    /// Values and gradients of `f` at `inputs` under `sum(f(x) * w)`.
    static func evaluate(_ f: ([Tensor]) -> Tensor, _ inputs: [Tensor], seed: UInt64 = 7) -> (Tensor, [Tensor]) {
        let leaves = inputs.map { input -> Tensor in
            var leaf = input.detached()
            leaf.requiresGrad = true
            return leaf
        }
        let output = f(leaves)
        var generator = RandomGenerator(seed: seed)
        (output * Tensor.randomNormal(output.shape, using: &generator)).sum().backward()
        return (output.detached(), leaves.map { $0.grad! })
    }

    /// Expects the outputs and gradients of `fused` and `plain` to agree within float32
    /// rounding. The two sum in different orders (Winograd's method also through its
    /// transforms), so where terms cancel the difference follows the size of the terms, not of
    /// the result: the absolute tolerance is a fraction of each tensor's largest magnitude.
    static func expectSame(
        _ fused: ([Tensor]) -> Tensor, _ plain: ([Tensor]) -> Tensor, _ inputs: [Tensor], _ label: String
    ) {
        let (a, gradsA) = evaluate(fused, inputs), (b, gradsB) = evaluate(plain, inputs)
        #expect(
            a.allClose(b, rtol: 1e-5, atol: 1e-6 * largest(b)), "\(label): outputs differ: \(differenceReport(a, b))")
        for (index, (x, y)) in zip(gradsA, gradsB).enumerated() {
            #expect(
                x.allClose(y, rtol: 1e-4, atol: 2e-6 * largest(y)),
                "\(label): gradient of input \(index) differs: \(differenceReport(x, y))")
        }
    }

    static func largest(_ tensor: Tensor) -> Float { tensor.abs().max().item }

    @Test(arguments: [1, 2, 3, 5])
    func convolutionWithReLU(batch: Int) {
        var generator = RandomGenerator(seed: UInt64(batch))
        let x = Tensor.randomNormal([batch, 3, 9, 11], using: &generator)
        let w = Tensor.randomNormal([4, 3, 3, 3], using: &generator)
        let b = Tensor.randomNormal([4], using: &generator)
        for (stride, padding) in [((1, 1), (1, 1)), ((2, 2), (0, 1))] {
            Self.expectSame(
                { conv2d($0[0], weight: $0[1], bias: $0[2], stride: stride, padding: padding, activation: .relu) },
                { conv2d($0[0], weight: $0[1], bias: $0[2], stride: stride, padding: padding).relu() },
                [x, w, b], "conv batch \(batch) stride \(stride)")
        }
        // Winograd's method, with the ReLU in its output transform, against im2col.
        let x16 = Tensor.randomNormal([batch, 16, 7, 9], using: &generator)
        let w16 = Tensor.randomNormal([16, 16, 3, 3], using: &generator) * 0.2
        let b16 = Tensor.randomNormal([16], using: &generator)
        func convolution(_ inputs: [Tensor], _ algorithm: ConvolutionAlgorithm, _ activation: FusedActivation) -> Tensor
        {
            conv2d(
                inputs[0], weight: inputs[1], bias: inputs[2], stride: (1, 1), padding: (1, 1), dilation: (1, 1),
                activation: activation, algorithm: algorithm)
        }
        Self.expectSame(
            { convolution($0, .winograd, .relu) }, { convolution($0, .winograd, .identity).relu() },
            [x16, w16, b16], "Winograd conv + ReLU batch \(batch)")
        Self.expectSame(
            { convolution($0, .winograd, .relu) }, { convolution($0, .im2col, .relu) },
            [x16, w16, b16], "Winograd against im2col, batch \(batch)")
        // A 1x1 stride-1 convolution reads the input as its patch matrix.
        let pointwise = Tensor.randomNormal([5, 3, 1, 1], using: &generator)
        Self.expectSame(
            { conv2d($0[0], weight: $0[1], activation: .relu) }, { conv2d($0[0], weight: $0[1]).relu() },
            [x, pointwise], "pointwise conv batch \(batch)")
    }

    /// Each algorithm gives the same images whether they are grouped or not.
    @Test(arguments: [ConvolutionAlgorithm.im2col, .winograd])
    func largeConvolutionMatchesPlainAcrossGroups(algorithm: ConvolutionAlgorithm) {
        // Enough images and few enough positions that images are grouped into wider products.
        var generator = RandomGenerator(seed: 3)
        let x = Tensor.randomNormal([9, 8, 6, 6], using: &generator)
        let w = Tensor.randomNormal([6, 8, 3, 3], using: &generator)
        func convolution(_ input: Tensor) -> Tensor {
            withoutGradients {
                conv2d(
                    input, weight: w, bias: nil, stride: (1, 1), padding: (1, 1), dilation: (1, 1),
                    activation: .identity,
                    algorithm: algorithm)
            }
        }
        let perImage = (0..<9).map { n in convolution(x[n].unsqueezed(0)) }
        #expect(convolution(x).allClose(Tensor.concatenate(perImage), rtol: 1e-5, atol: 1e-5))
    }

    /// Winograd's method works in blocks of tile rows (256 tiles for 64 channels); here 20
    /// tiles a row and 13 rows an image, so blocks end inside images and span two of them.
    @Test func winogradBlocksSpanningImages() {
        var generator = RandomGenerator(seed: 4)
        let x = Tensor.randomNormal([3, 64, 26, 40], using: &generator)
        let w = Tensor.randomNormal([64, 64, 3, 3], using: &generator) * 0.05
        let b = Tensor.randomNormal([64], using: &generator)
        func convolution(_ inputs: [Tensor], _ algorithm: ConvolutionAlgorithm) -> Tensor {
            conv2d(
                inputs[0], weight: inputs[1], bias: inputs[2], stride: (1, 1), padding: (1, 1), dilation: (1, 1),
                activation: .relu, algorithm: algorithm)
        }
        // 576 products a sum: compared relative to the largest value, as rounding differs.
        let (a, gradsA) = Self.evaluate({ convolution($0, .winograd) }, [x, w, b])
        let (e, gradsE) = Self.evaluate({ convolution($0, .im2col) }, [x, w, b])
        for (label, (value, expected)) in zip(
            ["output", "input gradient", "weight gradient", "bias gradient"],
            zip([a] + gradsA, [e] + gradsE))
        {
            let error = (value - expected).abs().max().item, scale = expected.abs().max().item
            #expect(error <= 2e-6 * scale, "\(label): error \(error) for values up to \(scale)")
        }
    }

    @Test(arguments: [true, false])
    func batchNormWithResidualAndReLU(training: Bool) {
        var generator = RandomGenerator(seed: 11)
        let x = Tensor.randomNormal([3, 4, 5, 6], using: &generator)
        let residual = Tensor.randomNormal([3, 4, 5, 6], using: &generator)
        let gamma = Tensor.randomUniform([4], low: 0.5, high: 1.5, using: &generator)
        let beta = Tensor.randomNormal([4], using: &generator)
        func norm(_ inputs: [Tensor], residual: Tensor? = nil, activation: FusedActivation = .identity) -> Tensor {
            var mean = Tensor([0.1, -0.2, 0.3, 0]), variance = Tensor([1, 0.5, 2, 1.5])
            return batchNorm(
                inputs[0], weight: inputs[1], bias: inputs[2], runningMean: &mean, runningVariance: &variance,
                training: training, adding: residual, activation: activation)
        }
        Self.expectSame(
            { norm($0, activation: .relu) }, { norm($0).relu() }, [x, gamma, beta], "bn+relu training \(training)")
        Self.expectSame(
            { norm(Array($0.prefix(3)), residual: $0[3], activation: .relu) },
            { (norm(Array($0.prefix(3))) + $0[3]).relu() },
            [x, gamma, beta, residual], "bn+residual+relu training \(training)")
        Self.expectSame(
            { norm(Array($0.prefix(3)), residual: $0[3]) }, { norm(Array($0.prefix(3))) + $0[3] },
            [x, gamma, beta, residual], "bn+residual training \(training)")
    }

    @Test func fusedOperationsMatchFiniteDifferences() {
        var generator = RandomGenerator(seed: 5)
        // Inputs away from the ReLU kink, so finite differences do not straddle it.
        let x = Tensor.randomNormal([2, 2, 5, 5], using: &generator)
        let w = Tensor.randomNormal([3, 2, 3, 3], using: &generator)
        let b = Tensor([4, -4, 4])
        let conv = checkGradients(
            of: { conv2d($0[0], weight: $0[1], bias: $0[2], padding: (1, 1), activation: .relu) }, at: [x, w, b])
        #expect(conv.maxError < 2e-2, "\(conv)")

        func norm(_ inputs: [Tensor], activation: FusedActivation) -> Tensor {
            var mean = Tensor.zeros([2]), variance = Tensor.ones([2])
            return batchNorm(
                inputs[0], weight: inputs[1], bias: inputs[2], runningMean: &mean, runningVariance: &variance,
                training: true, adding: inputs[3], activation: activation)
        }
        // In training every output moves with every input, so the float32 rounding of all of
        // them enters each difference: the residual keeps the outputs small, putting each
        // pre-activation 0.5 to 1.5 from the ReLU's kink, on either side. That distance also
        // allows a step of 5e-2, which moves no pre-activation by more than about 0.15.
        let gamma = Tensor([1, 0.5]), beta = Tensor([0.1, 0.2])
        let normalized = norm([x, gamma, beta, Tensor.zeros(x.shape)], activation: .identity)
        let signs = Tensor.randomUniform(x.shape, low: 0, high: 1, using: &generator).greater(Tensor(0.5)) * 2 - 1
        let preActivations = Tensor.randomUniform(x.shape, low: 0.5, high: 1.5, using: &generator) * signs
        let residual = preActivations - normalized
        let fused = checkGradients(of: { norm($0, activation: .relu) }, at: [x, gamma, beta, residual], step: 5e-2)
        #expect(fused.maxError < 2e-2, "\(fused)")
    }

    /// A NaN in a window wins (PyTorch's rule), on the vector paths (3x3 stride 2, 2x2) and the
    /// general one (3x3 stride 1).
    @Test(arguments: [(3, 2, 1, 2), (3, 1, 1, 9), (2, 2, 0, 1)])
    func maxPoolingPassesNaN(kernel: Int, stride: Int, padding: Int, windowsHoldingTheNaN: Int) {
        var values = (0..<(4 * 20)).map { Float($0 % 7) }
        values[2 * 20 + 9] = .nan
        let y = maxPool2d(
            Tensor(shape: [1, 1, 4, 20], values: values), kernel: (kernel, kernel), stride: (stride, stride),
            padding: (padding, padding))
        #expect(y.scalars.filter(\.isNaN).count == windowsHoldingTheNaN, "\(y)")
    }

    @Test func fusedReLUPassesNaNAsPyTorchDoes() {
        let x = Tensor(shape: [1, 1, 1, 3], values: [.nan, -1, 2])
        let y = conv2d(x, weight: Tensor.ones([1, 1, 1, 1]), activation: .relu)
        #expect(y.scalars[0].isNaN && y.scalars[1] == 0 && y.scalars[2] == 2)
        #expect(x.relu().scalars[0].isNaN)
    }

    @Test func layersExposeTheFusedForms() {
        var generator = RandomGenerator(seed: 2)
        let conv = Conv2d(2, 3, kernelSize: 3, padding: 1, using: &generator)
        let x = Tensor.randomNormal([2, 2, 4, 4], using: &generator)
        #expect(withoutGradients { conv(x, activation: .relu) }.allClose(withoutGradients { conv(x).relu() }))
        let norm = BatchNorm2d(3)
        norm.eval()
        let y = withoutGradients { conv(x) }
        #expect(
            withoutGradients { norm(y, adding: y, activation: .relu) }.allClose(
                withoutGradients { (norm(y) + y).relu() }))
    }
}
