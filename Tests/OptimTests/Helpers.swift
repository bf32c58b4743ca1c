import Foundation
import Optim
import Tensor
import TestSupport
import Testing

/// The least-squares problem of scripts/fixtures/optim_fixtures.py:
/// `loss = mean((x @ w.T + b - y)^2)`, `w` of shape [2, 3] and `b` of shape [2].
struct LeastSquares {
    let x: Tensor
    let y: Tensor
    let w0: Tensor
    let b0: Tensor

    init(_ fixture: Fixture) throws {
        x = try fixture.tensor("data.x")
        y = try fixture.tensor("data.y")
        w0 = try fixture.tensor("data.w")
        b0 = try fixture.tensor("data.b")
    }

    /// Fresh parameters at the fixture's initial values.
    func parameters() -> (w: Parameter, b: Parameter) {
        (Parameter(w0), Parameter(b0))
    }

    /// One training step: zero the gradients, backpropagate the loss, step the optimizer.
    @discardableResult
    func step(_ optimizer: any Optimizer, _ w: Parameter, _ b: Parameter) -> Float {
        optimizer.zeroGrad()
        let residual = x.matmul(w.value.transposed()) + b.value - y
        let loss = residual.squared().mean()
        loss.backward()
        optimizer.step()
        return loss.item
    }
}

/// The two parameter groups of the fixtures: `[w]` with the defaults, `[b]` with overrides.
func twoGroups(
    _ w: Parameter, _ b: Parameter, learningRate: Double? = nil, weightDecay: Double? = nil
) -> [ParameterGroup] {
    [ParameterGroup([w]), ParameterGroup([b], learningRate: learningRate, weightDecay: weightDecay)]
}

/// The optimizer of each fixture case, configured as in optim_fixtures.py.
func makeOptimizer(_ name: String, _ w: Parameter, _ b: Parameter) throws -> any Optimizer {
    switch name {
    case "sgd_plain":
        return try SGD(groups: twoGroups(w, b, learningRate: 0.05), learningRate: 0.1)
    case "sgd_momentum":
        return try SGD(groups: twoGroups(w, b, learningRate: 0.05), learningRate: 0.1, momentum: 0.9, dampening: 0.1)
    case "sgd_nesterov":
        return try SGD(
            groups: twoGroups(w, b, learningRate: 0.2, weightDecay: 0), learningRate: 0.1, momentum: 0.9,
            nesterov: true, weightDecay: 0.01)
    case "adam":
        return try Adam(groups: twoGroups(w, b, learningRate: 0.01), learningRate: 0.05)
    case "adam_amsgrad":
        return try Adam(
            groups: twoGroups(w, b, weightDecay: 0), learningRate: 0.05, betas: (0.8, 0.99),
            weightDecay: 0.01, amsgrad: true)
    case "adamw":
        return try AdamW(
            groups: twoGroups(w, b, learningRate: 0.02, weightDecay: 0), learningRate: 0.05, weightDecay: 0.1)
    case "sgd_momentum_plain":  // the optimizer of most scheduler cases
        return try SGD(groups: twoGroups(w, b, learningRate: 0.05), learningRate: 0.1, momentum: 0.9)
    case "adamw_nodecay_b":
        return try AdamW(groups: twoGroups(w, b, weightDecay: 0), learningRate: 0.01)
    default:
        throw UnknownCase("no optimizer named \(name)")
    }
}

/// A case name the helpers have no optimizer or scheduler for.
struct UnknownCase: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The Float bit patterns of a tensor, for exact comparisons.
func bits(_ tensor: Tensor) -> [UInt32] { tensor.scalars.map(\.bitPattern) }

/// Expects `actual` close to `expected` (`|a - e| <= atol + rtol * |e|`), with a message.
func expectClose(
    _ actual: Tensor, _ expected: Tensor, rtol: Float = 1e-5, atol: Float = 1e-6, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(
        actual.allClose(expected, rtol: rtol, atol: atol), "\(what): \(differenceReport(actual, expected))",
        sourceLocation: sourceLocation)
}

/// Runs `body` and returns the message of the ``OptimizerError`` it throws, or `nil`.
func errorMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as OptimizerError {
        return error.message
    } catch {
        return "unexpected error \(error)"
    }
}
