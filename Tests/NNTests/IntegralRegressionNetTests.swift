import Foundation
import NN
import Tensor
import TensorIO
import TestSupport
import Testing

/// Integral regression against PyTorch (scripts/fixtures/nn_integral.py): the network's heatmaps,
/// points, L1 loss, parameter gradients and batch statistics (Tests/Fixtures/nn_integral.safetensors,
/// the trunk's weights from nn_resnet18.safetensors, the head's 3x3 convolutions from
/// ``hashedUniform(_:seed:bound:)``; float64 counterparts in nn_integral_f64.safetensors),
/// nearest upsampling and soft-argmax on their own, and finite-difference checks of both.
@Suite struct IntegralRegressionNetTests {
    static let points = 5

    static func fixture() throws -> (reference: SafeTensorsFile, exact: SafeTensorsFile) {
        (
            try SafeTensors.read(contentsOf: Fixture.directory.appendingPathComponent("nn_integral.safetensors")),
            try SafeTensors.read(contentsOf: Fixture.directory.appendingPathComponent("nn_integral_f64.safetensors"))
        )
    }

    /// The script's `hashed_uniform`: values in `[-bound, bound)` from a 32-bit hash (lowbias32) of
    /// each flat index, the same float32 values in both languages for a power-of-two `bound`.
    static func hashedUniform(_ shape: [Int], seed: UInt32, bound: Double) -> Tensor {
        let values = (0..<shape.reduce(1, *)).map { index -> Float in
            var x = UInt32(truncatingIfNeeded: index) &* 0x9E37_79B9 &+ seed
            x ^= x >> 16
            x &*= 0x7FEB_352D
            x ^= x >> 15
            x &*= 0x846C_A68B
            x ^= x >> 16
            return Float((Double(x) / 4_294_967_296 * 2 - 1) * bound)
        }
        return Tensor(shape: shape, values: values)
    }

    /// The head's two 3x3 convolutions, as the script's `HASHED`.
    static let hashed: [(name: String, weight: Tensor)] = [
        ("head.1.weight", hashedUniform([256, 512, 3, 3], seed: 1, bound: 0x1p-6)),
        ("head.5.weight", hashedUniform([128, 256, 3, 3], seed: 2, bound: 0x1p-5))
    ]

    /// The fixture's network: nn_resnet18's trunk (without `fc`), nn_integral's head and the hashed convolutions.
    static func referenceState(_ reference: SafeTensorsFile) throws -> [String: Tensor] {
        let trunk = try SafeTensors.read(
            contentsOf: Fixture.directory.appendingPathComponent("nn_resnet18.safetensors"))
        var state: [String: Tensor] = [:]
        for (key, value) in trunk.tensors where key.hasPrefix("state.") && !key.hasPrefix("state.fc.") {
            state[String(key.dropFirst(6))] = value
        }
        for (key, value) in reference.tensors where key.hasPrefix("state.") { state[String(key.dropFirst(6))] = value }
        for (name, weight) in hashed { state[name] = weight }
        return state
    }

    /// The Euclidean norm of each output channel (`[O, ...]` -> `[O]`), as the script's `grad_norm.*`.
    static func channelNorms(_ tensor: Tensor) -> Tensor {
        let rows = tensor.shape[0], values = tensor.scalars, length = values.count / rows
        return Tensor(
            (0..<rows).map { row in
                Float(
                    values[(row * length)..<((row + 1) * length)].reduce(0.0) { $0 + Double($1) * Double($1) }
                        .squareRoot())
            })
    }

    @Test func stateDictNamesAreTheReferences() throws {
        let reference = try Self.fixture().reference
        var generator = RandomGenerator(seed: 0)
        let model = IntegralRegressionNet(inputChannels: 1, points: Self.points, using: &generator)
        let names = model.stateDict().map(\.name)
        #expect(Set(names) == Set(try Self.referenceState(reference).keys))
        // resnet18 without fc.weight, fc.bias; the head's three convolutions and two batch norms
        #expect(names.count == 120 + 13)
        #expect(
            Array(names.suffix(13)) == [
                "head.1.weight", "head.2.weight", "head.2.bias", "head.2.running_mean", "head.2.running_var",
                "head.2.num_batches_tracked", "head.5.weight", "head.6.weight", "head.6.bias",
                "head.6.running_mean", "head.6.running_var", "head.6.num_batches_tracked",
                "head.8.weight"
            ])
        #expect(model.head.layers.count == 9 && (model.head.layers[8] as? Conv2d)?.weight.shape == [5, 128, 1, 1])
        let resnetNames = resnet18(inputChannels: 1, outputs: 10, using: &generator).stateDict().map(\.name)
        #expect(
            Array(names.prefix(120)) == resnetNames.filter { !$0.hasPrefix("fc.") },
            "the trunk keeps ResNet's names and order")
        #expect(
            model.description == reference.metadata["repr"], "IntegralRegressionNet prints differently from PyTorch")
        // The last convolution starts as PIPNet's heads: weights of standard deviation 0.001, no bias.
        let last = try #require(model.head.layers[8] as? Conv2d)
        let weights = last.weight.value.scalars
        let std = (weights.reduce(0) { $0 + $1 * $1 } / Float(weights.count)).squareRoot()
        #expect(std > 0.0007 && std < 0.0013, "\(std)")
        #expect(last.bias == nil)
    }

    /// The hashed weights are the script's, value for value.
    @Test func hashedWeightsAreTheScripts() throws {
        let reference = try Self.fixture().reference
        for (name, weight) in Self.hashed {
            let sample = try #require(reference.tensors["hashed." + name])
            let values = weight.scalars
            let ours = stride(from: 0, to: values.count, by: 997).map { values[$0] }
            #expect(ours == sample.scalars, "\(name)")
        }
    }

    @Test(arguments: [2, 3]) func upsamplingMatchesPyTorch(scale: Int) throws {
        let (reference, exact) = try Self.fixture()
        let key = "upsample\(scale)."
        var input = try #require(reference.tensors[key + "input"])
        input.requiresGrad = true
        let output = Upsample(scale: scale)(input)
        let expected = try #require(reference.tensors[key + "output"])
        #expect(output.shape == [input.shape[0], input.shape[1], input.shape[2] * scale, input.shape[3] * scale])
        #expect(output.detached() == expected, "upsample \(scale): \(differenceReport(output, expected))")
        output.backward(gradient: try #require(reference.tensors[key + "grad_output"]))
        let grad = try #require(input.grad)
        let expectedGrad = try #require(reference.tensors[key + "grad_input"])
        #expect(
            grad.allClose(expectedGrad, rtol: 1e-6, atol: 1e-6),
            "upsample \(scale) gradient: \(differenceReport(grad, expectedGrad))")
        ModelTests.expectMatchesPyTorch(
            grad, float32: expectedGrad, float64: try #require(exact.tensors[key + "grad_input"]),
            "upsample \(scale) gradient")
    }

    @Test func softArgmaxMatchesPyTorch() throws {
        let (reference, exact) = try Self.fixture()
        var input = try #require(reference.tensors["softargmax.input"])
        input.requiresGrad = true
        let output = softArgmax(input)
        let expected = try #require(reference.tensors["softargmax.output"])
        #expect(output.shape == [2, 6])
        #expect(output.allClose(expected, rtol: 1e-5, atol: 1e-6), "softArgmax: \(differenceReport(output, expected))")
        ModelTests.expectMatchesPyTorch(
            output, float32: expected, float64: try #require(exact.tensors["softargmax.output"]), "softArgmax")
        output.backward(gradient: try #require(reference.tensors["softargmax.grad_output"]))
        let grad = try #require(input.grad)
        let expectedGrad = try #require(reference.tensors["softargmax.grad_input"])
        #expect(
            grad.allClose(expectedGrad, rtol: 1e-4, atol: 1e-6),
            "softArgmax gradient: \(differenceReport(grad, expectedGrad))")
        ModelTests.expectMatchesPyTorch(
            grad, float32: expectedGrad, float64: try #require(exact.tensors["softargmax.grad_input"]),
            "softArgmax gradient")
        // A sharp peak reads as its cell's centre: column 4 of 6, row 1 of 4.
        var peak = Tensor(repeating: -50, shape: [1, 1, 4, 6])
        peak[0, 0, 1, 4] = 50
        let centre = softArgmax(peak).scalars
        #expect(abs(centre[0] - (4.5 / 6 * 2 - 1)) < 1e-6 && abs(centre[1] - (1.5 / 4 * 2 - 1)) < 1e-6, "\(centre)")
    }

    @Test func networkMatchesPyTorch() throws {
        let (reference, exact) = try Self.fixture()
        var generator = RandomGenerator(seed: 0)
        let model = IntegralRegressionNet(inputChannels: 1, points: Self.points, using: &generator)
        try model.loadStateDict(try Self.referenceState(reference))
        model.train()
        let input = try #require(reference.tensors["input"])
        let heatmaps = model.heatmaps(input)
        #expect(heatmaps.shape == [2, Self.points, 8, 8])
        ModelTests.expectMatchesPyTorch(
            heatmaps, float32: try #require(reference.tensors["heatmaps"]),
            float64: try #require(exact.tensors["heatmaps"]), "heatmaps")
        let output = softArgmax(heatmaps)
        #expect(output.shape == [2, 2 * Self.points])
        ModelTests.expectMatchesPyTorch(
            output, float32: try #require(reference.tensors["output"]),
            float64: try #require(exact.tensors["output"]), "output")
        let loss = l1Loss(output, try #require(reference.tensors["targets"]))
        ModelTests.expectMatchesPyTorch(
            loss.reshaped([1]), float32: try #require(reference.tensors["loss"]),
            float64: try #require(exact.tensors["loss"]), "loss")
        loss.backward()

        let parameters = model.namedParameters()
        #expect(parameters.count == 60 + 7)  // resnet18's without fc.weight, fc.bias; the head's
        for (name, parameter) in parameters {
            let grad = try #require(parameter.grad, "no gradient for \(name)")
            let rows = try #require(reference.tensors["grad." + name], "no reference gradient for \(name)")
            ModelTests.expectMatchesPyTorch(
                grad.slice(axis: 0, 0..<rows.shape[0]), float32: rows,
                float64: try #require(exact.tensors["grad." + name]), "\(name) gradient")
            ModelTests.expectMatchesPyTorch(
                Self.channelNorms(grad), float32: try #require(reference.tensors["grad_norm." + name]),
                float64: try #require(exact.tensors["grad_norm." + name]), "\(name) gradient norms")
        }
        let buffers = Dictionary(uniqueKeysWithValues: model.namedBuffers().map { ($0.name, $0.buffer) })
        let statistics = reference.tensors.filter { $0.key.hasPrefix("after.") }
        #expect(statistics.count == 4)
        for (key, expected) in statistics {
            let statistic = try #require(buffers[String(key.dropFirst(6))]).value
            #expect(
                statistic.allClose(expected, rtol: 1e-4, atol: 1e-5), "\(key): \(differenceReport(statistic, expected))"
            )
        }

        // forward is softArgmax of the heatmaps; evaluation mode reads the same shapes.
        let joined = model(input)
        #expect(joined.allClose(output.detached(), rtol: 1e-6, atol: 1e-6))
        model.eval()
        let evaluated = withoutGradients { model(Tensor.randomNormal([1, 1, 96, 64], using: &generator)) }
        #expect(evaluated.shape == [1, 2 * Self.points] && evaluated.scalars.allSatisfy { abs($0) < 1 })
    }

    /// An untrained network's maps are nearly flat: the expected position is a small sum of
    /// cancelling terms. Summed in double precision it is within 1.1e-6 of the largest output
    /// here; the float32 matrix product of `p` and the centres this replaced was off by 1.7e-5
    /// (and on an untrained network's maps by 1.4e-4, ten times PyTorch's float32 error).
    @Test func nearlyFlatMapsKeepTheirDigits() {
        var generator = RandomGenerator(seed: 5)
        let (maps, h, w) = (8, 28, 28)
        let heatmaps = Tensor.randomNormal([2, maps / 2, h, w], std: 0.01, using: &generator)
        let ours = softArgmax(heatmaps).scalars, values = heatmaps.scalars
        var exact = [Double](), largest: Double = 0
        for map in 0..<maps {
            let cells = values[(map * h * w)..<((map + 1) * h * w)].map(Double.init)
            let peak = cells.max()!, weights = cells.map { Foundation.exp($0 - peak) }, total = weights.reduce(0, +)
            var x: Double = 0, y: Double = 0
            for (i, weight) in weights.enumerated() {
                x += weight / total * ((Double(i % w) + 0.5) / Double(w) * 2 - 1)
                y += weight / total * ((Double(i / w) + 0.5) / Double(h) * 2 - 1)
            }
            exact += [x, y]
            largest = Swift.max(largest, abs(x), abs(y))
        }
        let worst = zip(ours, exact).map { abs(Double($0) - $1) }.max()!
        #expect(
            worst / largest < 4e-6,
            "softArgmax of nearly flat maps: \(worst / largest) of the largest output \(largest)")
    }

    /// Upsampling's and soft-argmax's gradients against central finite differences.
    @Test func gradientsMatchFiniteDifferences() {
        var generator = RandomGenerator(seed: 4)
        for (scale, shape) in [(2, [2, 3, 3, 4]), (3, [1, 2, 2, 3])] {
            let result = checkGradients(
                of: { upsampleNearest($0[0], scale: scale) }, at: [Tensor.randomNormal(shape, using: &generator)])
            #expect(result.maxError < 1e-2, "upsample \(scale): \(result)")
        }
        // Float32 outputs in [-1, 1]: a step of 5e-2 keeps rounding noise below the smaller gradients.
        let maps = Tensor.randomNormal([2, 3, 3, 5], using: &generator)
        let result = checkGradients(of: { softArgmax($0[0]) }, at: [maps], step: 5e-2)
        #expect(result.maxError < 1e-2, "softArgmax: \(result)")
        // Through a head-like composition: upsampling feeds the soft-argmax.
        let composed = checkGradients(of: { softArgmax(upsampleNearest($0[0], scale: 2)) }, at: [maps], step: 5e-2)
        #expect(composed.maxError < 1e-2, "upsample then softArgmax: \(composed)")
    }
}
