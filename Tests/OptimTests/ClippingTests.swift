import Optim
import Tensor
import TestSupport
import Testing

/// `clipGradNorm` and `clipGradValue` against `torch.nn.utils.clip_grad_norm_` and
/// `clip_grad_value_` (Tests/Fixtures/optim_clip.json).
@Suite struct ClippingTests {
    static func fixture() throws -> Fixture { try Fixture.shared("optim_clip") }

    /// Three parameters whose gradients are the fixture's.
    static func parametersWithGradients() throws -> [Parameter] {
        try (0..<3).map { index in
            let gradient = try fixture().tensor("grad\(index)")
            let parameter = Parameter(Tensor.zeros(gradient.shape))
            parameter.grad = gradient
            return parameter
        }
    }

    @Test(arguments: [("l2", Float(1.5), Float(2)), ("l1", 3, 1), ("inf", 0.5, .infinity), ("l2_noclip", 100, 2)])
    func clipByNorm(_ label: String, _ maxNorm: Float, _ normType: Float) throws {
        let fixture = try Self.fixture()
        let parameters = try Self.parametersWithGradients()
        let total = clipGradNorm(parameters, maxNorm: maxNorm, normType: normType)
        let expectedTotal = try fixture.number("\(label).total")
        #expect(
            Swift.abs(Double(total) - expectedTotal) <= 1e-5 * expectedTotal,
            "\(label): total norm \(total) vs \(expectedTotal)")
        for (index, parameter) in parameters.enumerated() {
            expectClose(parameter.grad!, try fixture.tensor("\(label).grad\(index)"), "\(label) gradient \(index)")
        }
    }

    /// Clamping rounds nothing: every value is the fixture's gradient or a bound, so the bits
    /// equal PyTorch's on any machine.
    @Test func clipByValue() throws {
        let fixture = try Self.fixture()
        let parameters = try Self.parametersWithGradients()
        clipGradValue(parameters, clipValue: 0.7)
        for (index, parameter) in parameters.enumerated() {
            #expect(bits(parameter.grad!) == bits(try fixture.tensor("value.grad\(index)")))
        }
    }

    @Test func parametersWithoutGradientsAreIgnored() {
        let withGradient = Parameter(Tensor([0, 0]))
        withGradient.grad = Tensor([3, 4])
        let without = Parameter(Tensor([1]))
        #expect(clipGradNorm([withGradient, without], maxNorm: 1) == 5)
        #expect(without.grad == nil)
        #expect(withGradient.grad!.allClose(Tensor([0.6, 0.8]), rtol: 1e-6))
        #expect(clipGradNorm([without], maxNorm: 1) == 0)
    }

    @Test func clippingDoesNotTouchASharedGradient() {
        // Two parameters whose gradients share storage (as `a + b` produces) are scaled once each.
        let a = Parameter(Tensor([0, 0])), b = Parameter(Tensor([0, 0]))
        (a.value + b.value).sum().backward()
        clipGradNorm([a, b], maxNorm: 1)
        let expected = Float(1) / (Float(2) + 1e-6)  // total norm of [1, 1] and [1, 1] is 2
        #expect(a.grad!.allClose(Tensor([expected, expected]), rtol: 1e-6))
        #expect(b.grad!.allClose(Tensor([expected, expected]), rtol: 1e-6))
    }
}
