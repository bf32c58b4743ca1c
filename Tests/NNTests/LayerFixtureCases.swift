import NN
import Tensor
import TestSupport
import Testing

/// The cases of one committed PyTorch layer fixture (`nn_layers`, `nn_detector_layers`): case
/// `c` has inputs `c.x0, c.x1, ...`, parameters `c.<name>`, the output `c.out`, the weights `c.w`
/// and PyTorch's gradients of `sum(output * w)` (`c.gx0, ...`, `c.g<name>`). Shared by
/// ``LayerTests`` and ``DetectorLayerTests``.
struct LayerFixtureCases: Sendable {
    /// A case's operation: inputs `x0, x1, ...` and named parameters -> output.
    typealias Operation = @Sendable (_ inputs: [Tensor], _ parameters: [String: Tensor]) throws -> Tensor

    let fixtureName: String

    func fixture() throws -> Fixture { try Fixture.shared(fixtureName) }

    /// Every case the fixture holds.
    func caseNames() throws -> Set<String> {
        Set(try fixture().keys.filter { $0.hasSuffix(".out") }.map { String($0.dropLast(4)) })
    }

    func inputs(_ name: String) throws -> [Tensor] {
        let fixture = try fixture()
        return try (0..<3).compactMap {
            fixture.contains("\(name).x\($0)") ? try fixture.tensor("\(name).x\($0)") : nil
        }
    }

    func parameterNames(_ name: String) throws -> [String] {
        try fixture().keys.filter { $0.hasPrefix(name + ".g") && !$0.hasPrefix(name + ".gx") }.map {
            String($0.dropFirst(name.count + 2))
        }
    }

    /// The forward value (rtol 1e-4, atol 1e-5) and the input and parameter gradients (rtol
    /// 1e-3, atol 1e-4) against PyTorch's.
    func expectMatchesPyTorch(_ name: String, _ operation: Operation) throws {
        let fixture = try fixture()
        var inputs = try inputs(name)
        for i in inputs.indices { inputs[i].requiresGrad = true }
        let parameters = Dictionary(
            uniqueKeysWithValues: try parameterNames(name).map { ($0, Parameter(try fixture.tensor("\(name).\($0)"))) })
        let output = try operation(inputs, parameters.mapValues(\.value))
        let expected = try fixture.tensor("\(name).out")
        #expect(output.shape == expected.shape, "\(name): shape \(output.shape), PyTorch \(expected.shape)")
        #expect(
            output.allClose(expected, rtol: 1e-4, atol: 1e-5), "\(name) forward: \(differenceReport(output, expected))")
        (output * (try fixture.tensor("\(name).w"))).sum().backward()
        for (i, input) in inputs.enumerated() {
            let expectedGrad = try fixture.tensor("\(name).gx\(i)")
            let grad = try #require(input.grad, "\(name): no gradient for input \(i)")
            #expect(
                grad.allClose(expectedGrad, rtol: 1e-3, atol: 1e-4),
                "\(name) input gradient \(i): \(differenceReport(grad, expectedGrad))")
        }
        for (key, parameter) in parameters {
            let expectedGrad = try fixture.tensor("\(name).g\(key)")
            let grad = try #require(parameter.grad, "\(name): no gradient for \(key)")
            #expect(
                grad.allClose(expectedGrad, rtol: 1e-3, atol: 1e-4),
                "\(name) \(key) gradient: \(differenceReport(grad, expectedGrad))")
        }
    }

    /// Autograd against central finite differences with `step`, over inputs and parameters
    /// (largest relative error below 2e-2).
    func expectFiniteDifferences(_ name: String, _ operation: Operation, step: Float) throws {
        let fixture = try fixture()
        let parameterNames = try parameterNames(name)
        let inputs = try inputs(name), count = inputs.count
        let values = inputs + (try parameterNames.map { try fixture.tensor("\(name).\($0)") })
        let result = try checkGradients(
            of: { all in
                try operation(
                    Array(all[..<count]), Dictionary(uniqueKeysWithValues: zip(parameterNames, all[count...])))
            }, at: values, step: step)
        #expect(result.maxError < 2e-2, "\(name): \(result)")
    }
}
