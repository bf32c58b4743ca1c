import Tensor
import TestSupport
import Testing

/// Every differentiable operation against PyTorch (Tests/Fixtures/tensor_ops.json, written by
/// scripts/fixtures/tensor_fixtures.py): forward values and the gradients of
/// `sum(output * w)`; then the same gradients against finite differences.
@Suite struct OperationsTests {
    static let operations: [String: @Sendable ([Tensor]) -> Tensor] = [
        "add_broadcast": { $0[0] + $0[1] },
        "sub_broadcast": { $0[0] - $0[1] },
        "mul_broadcast": { $0[0] * $0[1] },
        "div_broadcast": { $0[0] / $0[1] },
        "neg": { -$0[0] },
        "exp": { $0[0].exp() },
        "log": { $0[0].log() },
        "sqrt": { $0[0].sqrt() },
        "square": { $0[0].squared() },
        "abs": { $0[0].abs() },
        "pow": { $0[0].pow(2.5) },
        "sin": { $0[0].sin() },
        "cos": { $0[0].cos() },
        "tanh": { $0[0].tanh() },
        "sigmoid": { $0[0].sigmoid() },
        "relu": { $0[0].relu() },
        "leaky_relu": { $0[0].leakyRelu(negativeSlope: 0.1) },
        "clamp": { $0[0].clamped(to: -0.5...0.5) },
        "maximum": { $0[0].maximum($0[1]) },
        "minimum": { $0[0].minimum($0[1]) },
        "sum_all": { $0[0].sum() },
        "sum_axis1_keep": { $0[0].sum(axis: 1, keepDims: true) },
        "mean_axes02": { $0[0].mean(axes: [0, 2]) },
        "var_axis1": { $0[0].variance(axes: [1]) },
        "var_all_biased": { $0[0].variance(unbiased: false) },
        "amax_axis2": { $0[0].max(axes: [2]) },
        "amin_axis0_keep": { $0[0].min(axes: [0], keepDims: true) },
        "matmul_2d": { $0[0].matmul($0[1]) },
        "matmul_batched": { $0[0].matmul($0[1]) },
        "matmul_broadcast": { $0[0].matmul($0[1]) },
        "reshape": { $0[0].reshaped([4, 6]) },
        "permute": { $0[0].permuted([2, 0, 1]) },
        "transpose": { $0[0].transposed(0, 1) },
        "slice": { $0[0].slice(axis: 1, 1..<3) },
        "concat": { Tensor.concatenate([$0[0], $0[1]], axis: 1) },
        "stack": { Tensor.stack([$0[0], $0[1]], axis: 1) },
        "pad": { $0[0].padded([(0, 0), (0, 1), (1, 2)], value: 0.5) }
    ]

    static func fixture() throws -> Fixture { try Fixture.shared("tensor_ops") }

    static func inputs(_ name: String) throws -> [Tensor] {
        let fixture = try fixture()
        return try (0..<3).compactMap {
            fixture.contains("\(name).x\($0)") ? try fixture.tensor("\(name).x\($0)") : nil
        }
    }

    @Test func everyFixtureCaseHasAnOperation() throws {
        let cases = Set(try Self.fixture().keys.filter { $0.hasSuffix(".out") }.map { String($0.dropLast(4)) })
        #expect(cases.subtracting(["argmax"]) == Set(Self.operations.keys))
        #expect(Self.polynomial.isSubset(of: Self.operations.keys))
    }

    @Test(arguments: operations.keys.sorted())
    func matchesPyTorch(_ name: String) throws {
        let function = try #require(Self.operations[name])
        let fixture = try Self.fixture()
        var leaves = try Self.inputs(name)
        for i in leaves.indices { leaves[i].requiresGrad = true }
        let output = function(leaves)
        let expected = try fixture.tensor("\(name).out")
        #expect(
            output.allClose(expected, rtol: 1e-5, atol: 1e-5), "\(name) forward: \(differenceReport(output, expected))")
        (output * (try fixture.tensor("\(name).w"))).sum().backward()
        for (i, leaf) in leaves.enumerated() {
            let grad = try #require(leaf.grad, "\(name): no gradient for input \(i)")
            let expectedGrad = try fixture.tensor("\(name).g\(i)")
            #expect(
                grad.allClose(expectedGrad, rtol: 1e-4, atol: 1e-5),
                "\(name) gradient \(i): \(differenceReport(grad, expectedGrad))")
        }
    }

    @Test(arguments: operations.keys.sorted())
    func gradientsMatchFiniteDifferences(_ name: String) throws {
        let function = try #require(Self.operations[name])
        let result = checkGradients(of: function, at: try Self.inputs(name), step: Self.step(name))
        #expect(result.maxError < 2e-2, "\(name): \(result)")
    }

    /// Operations whose outputs are polynomials of degree at most two in each input element
    /// (arithmetic but division, sums, means, variances, matrix products, moves) have exact
    /// central differences at any step, and a step of 1 makes the float32 rounding in the
    /// difference small. The rest take 1e-3: the random inputs keep their non-smooth points
    /// (ReLU at 0, clamp bounds, ties in max) farther away than that.
    static let polynomial: Set = [
        "add_broadcast", "sub_broadcast", "mul_broadcast", "neg", "square", "sum_all", "sum_axis1_keep",
        "mean_axes02", "var_axis1", "var_all_biased", "matmul_2d", "matmul_batched", "matmul_broadcast",
        "reshape", "permute", "transpose", "slice", "concat", "stack", "pad"
    ]

    static func step(_ name: String) -> Float { polynomial.contains(name) ? 1 : 1e-3 }

    /// Indices, not rounded values: exact on every machine.
    @Test func argmaxMatchesPyTorch() throws {
        let fixture = try Self.fixture()
        #expect(try fixture.tensor("argmax.x0").argmax(axis: 1) == fixture.tensor("argmax.out"))
    }
}
