import NN
import Tensor
import TestSupport
import Testing

/// Each layer and loss against PyTorch (Tests/Fixtures/nn_layers.json, written by
/// scripts/fixtures/nn_fixtures.py): forward values, and the gradients of `sum(output * w)`
/// with respect to inputs and parameters; then finite differences on the same cases.
@Suite struct LayerTests {
    /// A layer case: inputs `x0, x1, ...` and named parameters -> output.
    typealias Operation = LayerFixtureCases.Operation

    static let operations = layerOperations.merging(lossOperations) { a, _ in a }

    static let layerOperations: [String: Operation] = [
        "conv_basic": { x, p in conv2d(x[0], weight: p["weight"]!, bias: p["bias"]) },
        "conv_stride_pad": { x, p in
            conv2d(x[0], weight: p["weight"]!, bias: p["bias"], stride: (2, 2), padding: (1, 1))
        },
        "conv_dilated_rect": { x, p in
            conv2d(x[0], weight: p["weight"]!, stride: (1, 2), padding: (2, 1), dilation: (2, 1))
        },
        "conv_1x1_stride2": { x, p in conv2d(x[0], weight: p["weight"]!, stride: (2, 2)) },
        "conv_7x7_resnet_stem": { x, p in conv2d(x[0], weight: p["weight"]!, stride: (2, 2), padding: (3, 3)) },
        // Winograd's method (which the library picks from 64 channels), forward and gradients.
        "conv_winograd_pad1": { x, p in winograd(x[0], p["weight"]!, bias: p["bias"], padding: (1, 1)) },
        "conv_winograd_valid": { x, p in winograd(x[0], p["weight"]!, padding: (0, 0)) },
        "conv_winograd_pad2_1": { x, p in winograd(x[0], p["weight"]!, padding: (2, 1)) },
        "conv_transpose_4s2p1": { x, p in convTranspose2d(x[0], weight: p["weight"]!, stride: (2, 2), padding: (1, 1))
        },
        "conv_transpose_rect_outpad": { x, p in
            convTranspose2d(
                x[0], weight: p["weight"]!, bias: p["bias"], stride: (2, 3), padding: (0, 1), outputPadding: (1, 2))
        },
        "conv_transpose_3s1p1": { x, p in convTranspose2d(x[0], weight: p["weight"]!, bias: p["bias"], padding: (1, 1))
        },
        "linear": { x, p in linear(x[0], weight: p["weight"]!, bias: p["bias"]) },
        "maxpool_2": { x, _ in maxPool2d(x[0], kernel: (2, 2)) },
        "maxpool_3s2p1": { x, _ in maxPool2d(x[0], kernel: (3, 3), stride: (2, 2), padding: (1, 1)) },
        "maxpool_3s2p1_wide": { x, _ in maxPool2d(x[0], kernel: (3, 3), stride: (2, 2), padding: (1, 1)) },
        "maxpool_3s2p1_ties": { x, _ in maxPool2d(x[0], kernel: (3, 3), stride: (2, 2), padding: (1, 1)) },
        "maxpool_3s1p1": { x, _ in maxPool2d(x[0], kernel: (3, 3), stride: (1, 1), padding: (1, 1)) },
        "maxpool_2_wide": { x, _ in maxPool2d(x[0], kernel: (2, 2)) },
        "avgpool_2": { x, _ in avgPool2d(x[0], kernel: (2, 2)) },
        "avgpool_3s2p1": { x, _ in avgPool2d(x[0], kernel: (3, 3), stride: (2, 2), padding: (1, 1)) },
        "adaptive_avgpool_1x1": { x, _ in adaptiveAvgPool2d(x[0], outputSize: (1, 1)) },
        "adaptive_avgpool_2x3": { x, _ in adaptiveAvgPool2d(x[0], outputSize: (2, 3)) },
        "relu": { x, _ in ReLU()(x[0]) },
        "leaky_relu": { x, _ in LeakyReLU(negativeSlope: 0.2)(x[0]) },
        "flatten": { x, _ in Flatten()(x[0]) },
        "bn_train": { x, p in
            var mean = try fixture().tensor("bn.running_mean_before"),
                variance = try fixture().tensor("bn.running_var_before")
            return batchNorm(
                x[0], weight: p["weight"], bias: p["bias"], runningMean: &mean, runningVariance: &variance,
                training: true)
        },
        "bn_eval": { x, p in
            var mean = try fixture().tensor("bn.running_mean_after"),
                variance = try fixture().tensor("bn.running_var_after")
            return batchNorm(
                x[0], weight: p["weight"], bias: p["bias"], runningMean: &mean, runningVariance: &variance,
                training: false)
        }
    ]

    static func winograd(_ x: Tensor, _ weight: Tensor, bias: Tensor? = nil, padding: (Int, Int)) -> Tensor {
        conv2d(
            x, weight: weight, bias: bias, stride: (1, 1), padding: padding, dilation: (1, 1), activation: .identity,
            algorithm: .winograd)
    }

    static let lossOperations: [String: Operation] = Dictionary(
        uniqueKeysWithValues: Reduction.allCases.flatMap { reduction -> [(String, Operation)] in
            [
                ("mse_\(reduction)", { x, _ in mseLoss(x[0], x[1], reduction: reduction) }),
                ("l1_\(reduction)", { x, _ in l1Loss(x[0], x[1], reduction: reduction) }),
                ("smooth_l1_\(reduction)", { x, _ in smoothL1Loss(x[0], x[1], beta: 2, reduction: reduction) }),
                ("wing_\(reduction)", { x, _ in wingLoss(x[0], x[1], reduction: reduction) }),
                (
                    "adaptive_wing_\(reduction)",
                    { x, _ in
                        adaptiveWingLoss(x[0], try fixture().tensor("adaptive_wing.target"), reduction: reduction)
                    }
                )
            ]
        })

    static let cases = LayerFixtureCases(fixtureName: "nn_layers")

    static func fixture() throws -> Fixture { try cases.fixture() }

    @Test func everyFixtureCaseHasAnOperation() throws {
        #expect(try Self.cases.caseNames() == Set(Self.operations.keys))
    }

    @Test(arguments: operations.keys.sorted())
    func matchesPyTorch(_ name: String) throws {
        try Self.cases.expectMatchesPyTorch(name, try #require(Self.operations[name]))
    }

    /// Exact ties are kinks, where finite differences cannot see which element gets the
    /// gradient: the `_ties` case is checked against PyTorch only (``matchesPyTorch(_:)``).
    static let casesWithoutTies = operations.keys.filter { !$0.hasSuffix("_ties") }.sorted()

    @Test(arguments: casesWithoutTies)
    func gradientsMatchFiniteDifferences(_ name: String) throws {
        try Self.cases.expectFiniteDifferences(name, try #require(Self.operations[name]), step: Self.step(name))
    }

    /// The finite-difference step of a case. Float32 rounding of the outputs, divided by the
    /// step, is what limits the agreement, so the step is as large as each case allows:
    /// - 1e-3 where the fixture has inputs within 1e-2 of a kink: L1 and wing losses where
    ///   prediction equals target, max pooling where two window elements tie;
    /// - 1e-2 for ReLUs, whose inputs are at least that far from 0, and adaptive wing (nearly
    ///   `|d|^1.1` near 0 at the peak pixels), whose errors are at least 0.03;
    /// - 1 for operations linear or quadratic in each input element (convolutions, linear
    ///   layers, average pooling, batch norm in evaluation, MSE), where central differences
    ///   are exact;
    /// - 1e-1 for the smooth rest (batch norm in training, smooth L1).
    static func step(_ name: String) -> Float {
        if name.hasPrefix("l1_") || name.hasPrefix("wing_") || name.hasPrefix("maxpool") { return 1e-3 }
        if name.hasSuffix("relu") || name.hasPrefix("adaptive_wing") { return 1e-2 }
        let polynomial = ["conv_", "linear", "avgpool", "adaptive_avgpool", "flatten", "bn_eval", "mse_"]
        return polynomial.contains { name.hasPrefix($0) } ? 1 : 1e-1
    }

    @Test func batchNormUpdatesRunningStatisticsAsPyTorch() throws {
        let fixture = try Self.fixture()
        var mean = try fixture.tensor("bn.running_mean_before"), variance = try fixture.tensor("bn.running_var_before")
        _ = batchNorm(
            try fixture.tensor("bn_train.x0"), weight: nil, bias: nil, runningMean: &mean, runningVariance: &variance,
            training: true)
        #expect(mean.allClose(try fixture.tensor("bn.running_mean_after"), rtol: 1e-5, atol: 1e-6))
        #expect(variance.allClose(try fixture.tensor("bn.running_var_after"), rtol: 1e-5, atol: 1e-6))
    }

    @Test func dropoutKeepsTheExpectationAndIsOffInEval() {
        var generator = RandomGenerator(seed: 1)
        let layer = Dropout(p: 0.3, using: &generator)
        var x = Tensor.ones([100_000])
        x.requiresGrad = true
        let y = layer(x)
        let kept = y.scalars.filter { $0 != 0 }
        #expect(abs(Float(kept.count) / 100_000 - 0.7) < 0.01)
        #expect(kept.allSatisfy { abs($0 - 1 / 0.7) < 1e-6 })
        y.sum().backward()
        #expect(x.grad! == y.detached())
        layer.eval()
        #expect(layer(x) == x.detached())
    }
}
