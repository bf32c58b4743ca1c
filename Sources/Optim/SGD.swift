import Tensor

/// Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay,
/// computing exactly what `torch.optim.SGD` computes (`_single_tensor_sgd`):
///
/// ```text
/// g = grad + weight_decay * p                      (if weight_decay != 0)
/// if momentum != 0:
///     buf = g                                     (first step)
///     buf = momentum * buf + (1 - dampening) * g  (later steps)
///     g = g + momentum * buf   if nesterov  else  buf
/// p = p - lr * g
/// ```
///
/// ```swift
/// let optimizer = try SGD(model.parameters(), learningRate: 0.01, momentum: 0.9, nesterov: true)
/// ```
public final class SGD: Optimizer {
    /// The hyper-parameters of one parameter group.
    public struct Options: Equatable, Sendable {
        /// Step size, `>= 0`.
        public var learningRate: Double
        /// Momentum factor, `>= 0`.
        public var momentum: Double
        /// Dampening of the momentum, `>= 0` (must be 0 with Nesterov).
        public var dampening: Double
        /// Whether to use Nesterov momentum (needs `momentum > 0` and `dampening == 0`).
        public var nesterov: Bool
        /// L2 penalty added to the gradient, `>= 0`.
        public var weightDecay: Double

        /// Creates options; defaults are PyTorch's.
        public init(
            learningRate: Double = 1e-3, momentum: Double = 0, dampening: Double = 0,
            nesterov: Bool = false, weightDecay: Double = 0
        ) {
            self.learningRate = learningRate
            self.momentum = momentum
            self.dampening = dampening
            self.nesterov = nesterov
            self.weightDecay = weightDecay
        }

        /// Throws ``OptimizerError`` naming the first invalid hyper-parameter, for example
        /// `SGD: momentum must be >= 0, got -0.5`.
        public func validate() throws {
            try Check.nonNegative(learningRate, "SGD", "learning rate")
            try Check.nonNegative(momentum, "SGD", "momentum")
            try Check.nonNegative(dampening, "SGD", "dampening")
            try Check.nonNegative(weightDecay, "SGD", "weight decay")
            if nesterov && (momentum <= 0 || dampening != 0) {
                throw OptimizerError(
                    "SGD: Nesterov momentum requires momentum > 0 and dampening = 0, got momentum \(momentum) and dampening \(dampening)"
                )
            }
        }

        var hyperParameters: [String: Double] {
            [
                "lr": learningRate, "momentum": momentum, "dampening": dampening,
                "nesterov": nesterov ? 1 : 0, "weight_decay": weightDecay
            ]
        }
    }

    public var name: String { "SGD" }
    public let parameterGroups: [ParameterGroup]
    /// The current hyper-parameters of each group (schedulers change the learning rate and
    /// momentum here).
    public private(set) var groupOptions: [Options]
    /// Momentum buffers by flat parameter index, created on a parameter's first update.
    private var momentumBuffers: [Tensor?]

    /// An optimizer over one group of `parameters`.
    ///
    /// - Throws: ``OptimizerError`` for an invalid hyper-parameter or an empty parameter list.
    public convenience init(
        _ parameters: [Parameter], learningRate: Double = 1e-3, momentum: Double = 0,
        dampening: Double = 0, nesterov: Bool = false, weightDecay: Double = 0
    ) throws {
        try self.init(
            groups: [ParameterGroup(parameters)], learningRate: learningRate, momentum: momentum,
            dampening: dampening, nesterov: nesterov, weightDecay: weightDecay)
    }

    /// An optimizer over several parameter groups; the arguments are the defaults that each
    /// group's `learningRate` and `weightDecay` may override.
    ///
    /// - Throws: ``OptimizerError`` for an invalid hyper-parameter (in the defaults or in a
    ///   group), an empty parameter list, or a parameter that appears twice.
    public init(
        groups: [ParameterGroup], learningRate: Double = 1e-3, momentum: Double = 0,
        dampening: Double = 0, nesterov: Bool = false, weightDecay: Double = 0
    ) throws {
        let defaults = Options(
            learningRate: learningRate, momentum: momentum, dampening: dampening,
            nesterov: nesterov, weightDecay: weightDecay)
        try defaults.validate()
        try ParameterGroup.validate(groups, owner: "SGD")
        groupOptions = try groups.map { group in
            var options = defaults
            if let lr = group.learningRate { options.learningRate = lr }
            if let decay = group.weightDecay { options.weightDecay = decay }
            try options.validate()
            return options
        }
        parameterGroups = groups
        momentumBuffers = Array(repeating: nil, count: groups.reduce(0) { $0 + $1.parameters.count })
    }

    /// Replaces the hyper-parameters of group `group`.
    /// - Throws: ``OptimizerError`` when `options` is invalid.
    public func setOptions(_ options: Options, forGroup group: Int) throws {
        try options.validate()
        groupOptions[group] = options
    }

    public func learningRate(ofGroup group: Int) -> Double { groupOptions[group].learningRate }

    public func setLearningRate(_ learningRate: Double, ofGroup group: Int) {
        precondition(learningRate.isFinite, "SGD.setLearningRate: learning rate must be finite, got \(learningRate)")
        groupOptions[group].learningRate = learningRate
    }

    public func momentum(ofGroup group: Int) -> Double? { groupOptions[group].momentum }

    public func setMomentum(_ momentum: Double, ofGroup group: Int) {
        precondition(momentum.isFinite, "SGD.setMomentum: momentum must be finite, got \(momentum)")
        groupOptions[group].momentum = momentum
    }

    public func step() {
        for (groupIndex, index, parameter) in enumerateParameters(parameterGroups) {
            guard parameter.requiresGrad, let grad = parameter.grad else { continue }
            precondition(
                grad.shape == parameter.shape,
                "SGD.step: gradient of shape \(grad.shape) for a parameter of shape \(parameter.shape)")
            let options = groupOptions[groupIndex]
            let count = parameter.value.count
            guard count > 0 else { continue }
            let hasMomentum = options.momentum != 0
            let fresh = hasMomentum && momentumBuffers[index] == nil
            if fresh { momentumBuffers[index] = Tensor(uninitializedShape: parameter.shape) }
            let kernel = SGDKernel(
                weightDecay: Float(options.weightDecay), hasWeightDecay: options.weightDecay != 0,
                momentum: Float(options.momentum), hasMomentum: hasMomentum,
                dampened: Float(1 - options.dampening), nesterov: options.nesterov,
                fresh: fresh, negativeLearningRate: Float(-options.learningRate))
            grad.withUnsafeBufferPointer { g in
                parameter.update { p in
                    if hasMomentum {
                        momentumBuffers[index]!.withUnsafeMutableBufferPointer { buffer in
                            kernel.run(p.baseAddress!, g.baseAddress!, buffer.baseAddress!, count)
                        }
                    } else {
                        kernel.run(p.baseAddress!, g.baseAddress!, nil, count)
                    }
                }
            }
        }
    }

    public func state() -> OptimizerState {
        var tensors: [String: Tensor] = [:]
        for (index, buffer) in momentumBuffers.enumerated() {
            if let buffer { tensors[OptimizerState.key(index, "momentum_buffer")] = buffer }
        }
        let groups = zip(parameterGroups, groupOptions).map {
            OptimizerState.Group(parameterCount: $0.parameters.count, hyperParameters: $1.hyperParameters)
        }
        return OptimizerState(metadata: .init(optimizer: name, groups: groups), tensors: tensors)
    }

    public func load(_ state: OptimizerState) throws {
        try state.checkLayout(owner: name, groups: parameterGroups)
        var options: [Options] = []
        for group in parameterGroups.indices {
            let value = { (key: String) throws -> Double in
                try state.hyperParameter(key, group: group, owner: self.name)
            }
            let loaded = Options(
                learningRate: try value("lr"), momentum: try value("momentum"),
                dampening: try value("dampening"), nesterov: try value("nesterov") != 0,
                weightDecay: try value("weight_decay"))
            try loaded.validate()
            options.append(loaded)
        }
        var buffers: [Tensor?] = []
        for (_, index, parameter) in enumerateParameters(parameterGroups) {
            let key = OptimizerState.key(index, "momentum_buffer")
            buffers.append(try state.tensor(key, shape: parameter.shape, owner: name))
        }
        let expected = Set(buffers.indices.map { OptimizerState.key($0, "momentum_buffer") })
        if let stray = state.tensors.keys.sorted().first(where: { !expected.contains($0) }) {
            throw OptimizerError("SGD.load: unexpected key '\(stray)' in the saved state")
        }
        groupOptions = options
        momentumBuffers = buffers
    }
}
