import Tensor

/// Adam with decoupled weight decay (Loshchilov & Hutter), as `torch.optim.AdamW`: before
/// the Adam update of ``Adam`` (without the L2 term), `p = p * (1 - lr * weight_decay)`.
///
/// ```swift
/// let optimizer = try AdamW(groups: ParameterGroup.separatingNoDecay(model.parameters()),
///                           learningRate: 1e-3, weightDecay: 0.05)
/// ```
public final class AdamW: Adam {
    /// An optimizer over one group of `parameters`. Defaults are PyTorch's (weight decay 0.01).
    ///
    /// - Throws: ``OptimizerError`` for an invalid hyper-parameter or an empty parameter list.
    public convenience init(
        _ parameters: [Parameter], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
        eps: Double = 1e-8, weightDecay: Double = 1e-2, amsgrad: Bool = false
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
        eps: Double = 1e-8, weightDecay: Double = 1e-2, amsgrad: Bool = false
    ) throws {
        try self.init(
            name: "AdamW", decoupled: true, groups: groups,
            defaults: Options(
                learningRate: learningRate, beta1: betas.0, beta2: betas.1, eps: eps,
                weightDecay: weightDecay, amsgrad: amsgrad))
    }
}
