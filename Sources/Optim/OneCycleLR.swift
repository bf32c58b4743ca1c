import Foundation

/// The 1cycle policy, as `torch.optim.lr_scheduler.OneCycleLR`: the learning rate rises from
/// `maxLR / divFactor` to `maxLR` over the first `pctStart` of `totalSteps`, then anneals to
/// `maxLR / divFactor / finalDivFactor`; momentum (SGD's `momentum`, Adam's `beta1`) moves the
/// opposite way between `maxMomentum` and `baseMomentum`. Step it after every batch.
///
/// With the default cosine annealing and two phases (`threePhase: false`), at step `t`:
///
/// ```text
/// phase 1, t <= pctStart * totalSteps - 1:   from initial_lr to max_lr,  momentum max -> base
/// phase 2, up to totalSteps - 1:             from max_lr to min_lr,      momentum base -> max
/// anneal(start, end, pct) = end + (start - end) / 2 * (1 + cos(pi * pct))
/// ```
///
/// where `pct` is the position inside the phase. With `threePhase: true` the second phase
/// returns to `initial_lr` symmetrically and a third one anneals to `min_lr`.
///
/// ```swift
/// let scheduler = try OneCycleLR(optimizer, maxLearningRate: 0.01, totalSteps: epochs * batchesPerEpoch)
/// ```
public final class OneCycleLR: LRSchedulerBase {
    /// How the learning rate moves inside a phase.
    public enum AnnealStrategy: String, Sendable, Codable {
        /// Half a cosine (the default).
        case cos
        /// A straight line.
        case linear
    }

    private struct Phase {
        let endStep: Double
        let startLR: KeyPath<GroupBounds, Double>
        let endLR: KeyPath<GroupBounds, Double>
        let startMomentum: KeyPath<GroupBounds, Double>
        let endMomentum: KeyPath<GroupBounds, Double>
    }

    /// The fixed end points of one group's cycle.
    struct GroupBounds {
        let initialLR: Double
        let maxLR: Double
        let minLR: Double
        let maxMomentum: Double
        let baseMomentum: Double
    }

    /// The number of steps (batches) in the cycle, `> 0`.
    public let totalSteps: Int
    /// The annealing shape.
    public let annealStrategy: AnnealStrategy
    /// Whether momentum is cycled inversely to the learning rate.
    public let cycleMomentum: Bool
    private let phases: [Phase]
    private let bounds: [GroupBounds]

    /// Creates the scheduler with one peak learning rate for every group; see
    /// ``init(_:maxLearningRates:totalSteps:pctStart:annealStrategy:cycleMomentum:baseMomentum:maxMomentum:divFactor:finalDivFactor:threePhase:)``.
    public convenience init(
        _ optimizer: any Optimizer, maxLearningRate: Double, totalSteps: Int, pctStart: Double = 0.3,
        annealStrategy: AnnealStrategy = .cos, cycleMomentum: Bool = true,
        baseMomentum: Double = 0.85, maxMomentum: Double = 0.95,
        divFactor: Double = 25, finalDivFactor: Double = 1e4, threePhase: Bool = false
    ) throws {
        try self.init(
            optimizer, maxLearningRates: Array(repeating: maxLearningRate, count: optimizer.parameterGroups.count),
            totalSteps: totalSteps, pctStart: pctStart, annealStrategy: annealStrategy,
            cycleMomentum: cycleMomentum, baseMomentum: baseMomentum, maxMomentum: maxMomentum,
            divFactor: divFactor, finalDivFactor: finalDivFactor, threePhase: threePhase)
    }

    /// Creates the scheduler, sets each group's learning rate to `maxLearningRates[g] /
    /// divFactor` and, with `cycleMomentum`, its momentum to `maxMomentum`. Defaults are
    /// PyTorch's.
    ///
    /// - Throws: ``OptimizerError`` when `totalSteps <= 0`, `pctStart` is outside `[0, 1]`,
    ///   a learning rate or factor is not positive, the number of peak rates differs from the
    ///   number of groups, or `cycleMomentum` is on and the optimizer has no momentum.
    public init(
        _ optimizer: any Optimizer, maxLearningRates: [Double], totalSteps: Int, pctStart: Double = 0.3,
        annealStrategy: AnnealStrategy = .cos, cycleMomentum: Bool = true,
        baseMomentum: Double = 0.85, maxMomentum: Double = 0.95,
        divFactor: Double = 25, finalDivFactor: Double = 1e4, threePhase: Bool = false
    ) throws {
        let name = "OneCycleLR"
        try Check.positive(totalSteps, name, "totalSteps")
        try Check.unitClosed(pctStart, name, "pctStart")
        try Check.positive(divFactor, name, "divFactor")
        try Check.positive(finalDivFactor, name, "finalDivFactor")
        let groups = optimizer.parameterGroups.count
        guard maxLearningRates.count == groups else {
            throw OptimizerError.invalid(
                name, "the number of maximum learning rates", maxLearningRates.count,
                allowed: "the number of parameter groups (\(groups))")
        }
        for rate in maxLearningRates { try Check.nonNegative(rate, name, "maxLearningRate") }
        if cycleMomentum {
            guard (0..<groups).allSatisfy({ optimizer.momentum(ofGroup: $0) != nil }) else {
                throw OptimizerError(
                    "\(name): cycleMomentum needs an optimizer with momentum or beta1; \(optimizer.name) has none")
            }
            try Check.unitHalfOpen(baseMomentum, name, "baseMomentum")
            try Check.unitHalfOpen(maxMomentum, name, "maxMomentum")
        }
        self.totalSteps = totalSteps
        self.annealStrategy = annealStrategy
        self.cycleMomentum = cycleMomentum
        let total = Double(totalSteps)
        if threePhase {
            phases = [
                Phase(
                    endStep: pctStart * total - 1, startLR: \.initialLR, endLR: \.maxLR,
                    startMomentum: \.maxMomentum, endMomentum: \.baseMomentum),
                Phase(
                    endStep: 2 * pctStart * total - 2, startLR: \.maxLR, endLR: \.initialLR,
                    startMomentum: \.baseMomentum, endMomentum: \.maxMomentum),
                Phase(
                    endStep: total - 1, startLR: \.initialLR, endLR: \.minLR,
                    startMomentum: \.maxMomentum, endMomentum: \.maxMomentum)
            ]
        } else {
            phases = [
                Phase(
                    endStep: pctStart * total - 1, startLR: \.initialLR, endLR: \.maxLR,
                    startMomentum: \.maxMomentum, endMomentum: \.baseMomentum),
                Phase(
                    endStep: total - 1, startLR: \.maxLR, endLR: \.minLR,
                    startMomentum: \.baseMomentum, endMomentum: \.maxMomentum)
            ]
        }
        let bounds = maxLearningRates.map { maxLR in
            let initialLR = maxLR / divFactor
            return GroupBounds(
                initialLR: initialLR, maxLR: maxLR, minLR: initialLR / finalDivFactor,
                maxMomentum: maxMomentum, baseMomentum: baseMomentum)
        }
        self.bounds = bounds
        for group in 0..<groups {
            optimizer.setLearningRate(bounds[group].initialLR, ofGroup: group)
            if cycleMomentum { optimizer.setMomentum(maxMomentum, ofGroup: group) }
        }
        super.init(name: name, optimizer: optimizer)
    }

    private func anneal(_ start: Double, _ end: Double, _ pct: Double) -> Double {
        switch annealStrategy {
        case .cos: return end + (start - end) / 2.0 * (cos(Double.pi * pct) + 1)
        case .linear: return (end - start) * pct + start
        }
    }

    /// The learning rate and momentum of group `group` at step `stepNumber`.
    private func values(at stepNumber: Int, group: Int) -> (learningRate: Double, momentum: Double) {
        let bound = bounds[group]
        let step = Double(stepNumber)
        var startStep = 0.0
        for (index, phase) in phases.enumerated() {
            if step <= phase.endStep || index == phases.count - 1 {
                let pct = (step - startStep) / (phase.endStep - startStep)
                return (
                    anneal(bound[keyPath: phase.startLR], bound[keyPath: phase.endLR], pct),
                    anneal(bound[keyPath: phase.startMomentum], bound[keyPath: phase.endMomentum], pct)
                )
            }
            startStep = phase.endStep
        }
        preconditionFailure("OneCycleLR: no phase")
    }

    /// The learning rates of the batch just begun; also sets the momentum. Stepping more than
    /// `totalSteps` times is a programming error and stops with a message, as PyTorch raises.
    override func learningRates(isFirst: Bool) -> [Double] {
        precondition(
            lastEpoch <= totalSteps,
            "OneCycleLR: tried to step \(lastEpoch) times; the specified number of total steps is \(totalSteps)")
        var rates: [Double] = []
        for group in bounds.indices {
            let (learningRate, momentum) = values(at: lastEpoch, group: group)
            rates.append(learningRate)
            if cycleMomentum { optimizer.setMomentum(momentum, ofGroup: group) }
        }
        return rates
    }

    /// Restores the progress, the learning rates and (with `cycleMomentum`) the momentum of
    /// the saved step.
    public override func load(_ state: SchedulerState) throws {
        try super.load(state)
        if cycleMomentum, lastEpoch >= 0, lastEpoch <= totalSteps {
            for group in bounds.indices {
                optimizer.setMomentum(values(at: lastEpoch, group: group).momentum, ofGroup: group)
            }
        }
    }
}
