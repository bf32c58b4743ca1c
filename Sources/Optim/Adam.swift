import Foundation
import Tensor

/// Adam, with optional AMSGrad and weight decay applied as an L2 term added to the gradient,
/// computing exactly what `torch.optim.Adam` computes (`_single_tensor_adam`):
///
/// ```text
/// step += 1
/// g = grad + weight_decay * p                         (if weight_decay != 0)
/// m = lerp(m, g, 1 - beta1)                           (m + (1 - beta1) * (g - m))
/// v = beta2 * v + (1 - beta2) * g * g
/// v_hat = max(v_max, v) -> v_max                      (AMSGrad) or v
/// bias_correction1 = 1 - beta1^step,  bias_correction2 = 1 - beta2^step
/// denom = sqrt(v_hat) / sqrt(bias_correction2) + eps
/// p = p - (lr / bias_correction1) * m / denom
/// ```
///
/// For decoupled weight decay use ``AdamW``.
///
/// ```swift
/// let optimizer = try Adam(model.parameters(), learningRate: 1e-3)
/// ```
public class Adam: Optimizer {
    /// The hyper-parameters of one parameter group (shared with ``AdamW``).
    public struct Options: Equatable, Sendable {
        /// Step size, `>= 0`.
        public var learningRate: Double
        /// Decay of the running mean of gradients, in `[0, 1)`.
        public var beta1: Double
        /// Decay of the running mean of squared gradients, in `[0, 1)`.
        public var beta2: Double
        /// Added to the denominator for numerical stability, `>= 0`.
        public var eps: Double
        /// Weight decay, `>= 0`: an L2 term in ``Adam``, decoupled in ``AdamW``.
        public var weightDecay: Double
        /// Whether to use the AMSGrad variant (normalizes by the running maximum of `v`).
        public var amsgrad: Bool

        /// Creates options; defaults are `torch.optim.Adam`'s.
        public init(
            learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8,
            weightDecay: Double = 0, amsgrad: Bool = false
        ) {
            self.learningRate = learningRate
            self.beta1 = beta1
            self.beta2 = beta2
            self.eps = eps
            self.weightDecay = weightDecay
            self.amsgrad = amsgrad
        }

        /// Throws ``OptimizerError`` naming `optimizer` and the first invalid hyper-parameter,
        /// for example `Adam: beta1 must be in [0, 1), got 1.0`.
        public func validate(optimizer: String = "Adam") throws {
            try Check.nonNegative(learningRate, optimizer, "learning rate")
            try Check.nonNegative(eps, optimizer, "eps")
            try Check.unitHalfOpen(beta1, optimizer, "beta1")
            try Check.unitHalfOpen(beta2, optimizer, "beta2")
            try Check.nonNegative(weightDecay, optimizer, "weight decay")
        }

        var hyperParameters: [String: Double] {
            [
                "lr": learningRate, "beta1": beta1, "beta2": beta2, "eps": eps,
                "weight_decay": weightDecay, "amsgrad": amsgrad ? 1 : 0
            ]
        }
    }

    public let name: String
    public let parameterGroups: [ParameterGroup]
    /// The current hyper-parameters of each group.
    public private(set) var groupOptions: [Options]
    /// Whether weight decay is decoupled (``AdamW``) rather than added to the gradient.
    let decoupled: Bool
    private var slots: [Slot?]

    /// An optimizer over one group of `parameters`. Defaults are PyTorch's.
    ///
    /// - Throws: ``OptimizerError`` for an invalid hyper-parameter or an empty parameter list.
    public convenience init(
        _ parameters: [Parameter], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
        eps: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false
    ) throws {
        try self.init(
            groups: [ParameterGroup(parameters)], learningRate: learningRate, betas: betas, eps: eps,
            weightDecay: weightDecay, amsgrad: amsgrad)
    }

    /// An optimizer over several parameter groups; the arguments are the defaults that each
    /// group's `learningRate` and `weightDecay` may override.
    ///
    /// - Throws: ``OptimizerError`` for an invalid hyper-parameter (in the defaults or in a
    ///   group), an empty parameter list, or a parameter that appears twice.
    public convenience init(
        groups: [ParameterGroup], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
        eps: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false
    ) throws {
        try self.init(
            name: "Adam", decoupled: false, groups: groups,
            defaults: Options(
                learningRate: learningRate, beta1: betas.0, beta2: betas.1, eps: eps,
                weightDecay: weightDecay, amsgrad: amsgrad))
    }

    /// The designated initializer, for ``Adam`` and ``AdamW``.
    init(name: String, decoupled: Bool, groups: [ParameterGroup], defaults: Options) throws {
        try defaults.validate(optimizer: name)
        try ParameterGroup.validate(groups, owner: name)
        self.name = name
        self.decoupled = decoupled
        parameterGroups = groups
        groupOptions = try groups.map { group in
            var options = defaults
            if let lr = group.learningRate { options.learningRate = lr }
            if let decay = group.weightDecay { options.weightDecay = decay }
            try options.validate(optimizer: name)
            return options
        }
        slots = Array(repeating: nil, count: groups.reduce(0) { $0 + $1.parameters.count })
    }

    /// Replaces the hyper-parameters of group `group`.
    /// - Throws: ``OptimizerError`` when `options` is invalid.
    public func setOptions(_ options: Options, forGroup group: Int) throws {
        try options.validate(optimizer: name)
        groupOptions[group] = options
    }

    public func learningRate(ofGroup group: Int) -> Double { groupOptions[group].learningRate }

    public func setLearningRate(_ learningRate: Double, ofGroup group: Int) {
        precondition(
            learningRate.isFinite, "\(name).setLearningRate: learning rate must be finite, got \(learningRate)")
        groupOptions[group].learningRate = learningRate
    }

    public func momentum(ofGroup group: Int) -> Double? { groupOptions[group].beta1 }

    public func setMomentum(_ beta1: Double, ofGroup group: Int) {
        precondition(beta1 >= 0 && beta1 < 1, "\(name).setMomentum: beta1 must be in [0, 1), got \(beta1)")
        groupOptions[group].beta1 = beta1
    }

    public func step() {
        for (groupIndex, index, parameter) in enumerateParameters(parameterGroups) {
            guard parameter.requiresGrad, let grad = parameter.grad else { continue }
            precondition(
                grad.shape == parameter.shape,
                "\(name).step: gradient of shape \(grad.shape) for a parameter of shape \(parameter.shape)")
            let options = groupOptions[groupIndex]
            let slot: Slot
            if let existing = slots[index] {
                slot = existing
            } else {
                slot = Slot(
                    step: 0, expAvg: .zeros(parameter.shape), expAvgSq: .zeros(parameter.shape), maxExpAvgSq: nil)
                slots[index] = slot
            }
            if options.amsgrad && slot.maxExpAvgSq == nil { slot.maxExpAvgSq = .zeros(parameter.shape) }
            slot.step += 1

            // Scalars in double precision, as PyTorch computes them in Python.
            let step = Double(slot.step)
            let biasCorrection1 = 1 - Foundation.pow(options.beta1, step)
            let biasCorrection2 = 1 - Foundation.pow(options.beta2, step)
            let stepSize = options.learningRate / biasCorrection1
            let biasCorrection2Sqrt = Foundation.pow(biasCorrection2, 0.5)
            let weight = Float(1 - options.beta1)
            let kernel = AdamKernel(
                decay: Float(1 - options.learningRate * options.weightDecay),
                decoupled: decoupled && options.weightDecay != 0,
                weightDecay: Float(options.weightDecay),
                coupled: !decoupled && options.weightDecay != 0,
                lerpWeight: weight, lerpSmall: Swift.abs(weight) < 0.5, lerpComplement: 1 - weight,
                beta2: Float(options.beta2), oneMinusBeta2: Float(1 - options.beta2),
                amsgrad: options.amsgrad, biasCorrection2Sqrt: Float(biasCorrection2Sqrt),
                eps: Float(options.eps), negativeStepSize: Float(-stepSize))
            let count = parameter.value.count
            guard count > 0 else { continue }
            grad.withUnsafeBufferPointer { g in
                parameter.update { p in
                    slot.expAvg.withUnsafeMutableBufferPointer { m in
                        slot.expAvgSq.withUnsafeMutableBufferPointer { v in
                            if options.amsgrad {
                                slot.maxExpAvgSq!.withUnsafeMutableBufferPointer { vMax in
                                    kernel.run(
                                        p.baseAddress!, g.baseAddress!, m.baseAddress!, v.baseAddress!,
                                        vMax.baseAddress!, count)
                                }
                            } else {
                                kernel.run(p.baseAddress!, g.baseAddress!, m.baseAddress!, v.baseAddress!, nil, count)
                            }
                        }
                    }
                }
            }
        }
    }

    public func state() -> OptimizerState {
        var tensors: [String: Tensor] = [:]
        for (index, slot) in slots.enumerated() {
            guard let slot else { continue }
            tensors[OptimizerState.key(index, "step")] = Tensor(Float(slot.step))
            tensors[OptimizerState.key(index, "exp_avg")] = slot.expAvg
            tensors[OptimizerState.key(index, "exp_avg_sq")] = slot.expAvgSq
            if let maxExpAvgSq = slot.maxExpAvgSq { tensors[OptimizerState.key(index, "max_exp_avg_sq")] = maxExpAvgSq }
        }
        let groupStates = zip(parameterGroups, groupOptions).map {
            OptimizerState.Group(parameterCount: $0.parameters.count, hyperParameters: $1.hyperParameters)
        }
        return OptimizerState(metadata: .init(optimizer: name, groups: groupStates), tensors: tensors)
    }

    public func load(_ state: OptimizerState) throws {
        try state.checkLayout(owner: name, groups: parameterGroups)
        var loadedOptions: [Options] = []
        for group in parameterGroups.indices {
            let value = { (key: String) throws -> Double in
                try state.hyperParameter(key, group: group, owner: self.name)
            }
            let loaded = Options(
                learningRate: try value("lr"), beta1: try value("beta1"), beta2: try value("beta2"),
                eps: try value("eps"), weightDecay: try value("weight_decay"),
                amsgrad: try value("amsgrad") != 0)
            try loaded.validate(optimizer: name)
            loadedOptions.append(loaded)
        }
        var loadedSlots: [Slot?] = []
        var expected = Set<String>()
        for (_, index, parameter) in enumerateParameters(parameterGroups) {
            let names = ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"].map { OptimizerState.key(index, $0) }
            expected.formUnion(names)
            let step = try state.tensor(names[0], shape: [], owner: name)
            let expAvg = try state.tensor(names[1], shape: parameter.shape, owner: name)
            let expAvgSq = try state.tensor(names[2], shape: parameter.shape, owner: name)
            let maxExpAvgSq = try state.tensor(names[3], shape: parameter.shape, owner: name)
            if step == nil && expAvg == nil && expAvgSq == nil && maxExpAvgSq == nil {
                loadedSlots.append(nil)
                continue
            }
            guard let step, let expAvg, let expAvgSq else {
                let missing = zip(names.prefix(3), [step, expAvg, expAvgSq]).first { $0.1 == nil }!.0
                throw OptimizerError("\(name).load: '\(missing)' is missing from the saved state")
            }
            let steps = step.item
            guard steps >= 0, steps == steps.rounded(), steps < 16_777_216 else {
                throw OptimizerError("\(name).load: '\(names[0])' must be a whole number of steps, got \(steps)")
            }
            loadedSlots.append(Slot(step: Int(steps), expAvg: expAvg, expAvgSq: expAvgSq, maxExpAvgSq: maxExpAvgSq))
        }
        if let stray = state.tensors.keys.sorted().first(where: { !expected.contains($0) }) {
            throw OptimizerError("\(name).load: unexpected key '\(stray)' in the saved state")
        }
        groupOptions = loadedOptions
        slots = loadedSlots
    }

    /// The per-parameter state of Adam. A class, so that the moment buffers can be written in
    /// place side by side without copying.
    private final class Slot {
        var step: Int
        var expAvg: Tensor
        var expAvgSq: Tensor
        var maxExpAvgSq: Tensor?

        init(step: Int, expAvg: Tensor, expAvgSq: Tensor, maxExpAvgSq: Tensor?) {
            self.step = step
            self.expAvg = expAvg
            self.expAvgSq = expAvgSq
            self.maxExpAvgSq = maxExpAvgSq
        }
    }
}
