import Tensor

/// The criterion of PIPNet's score maps against their one-hot targets.
public enum PIPNetScoreLoss: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    /// Mean squared error, weighted 10: the reference's `l2` criterion.
    case mse
    /// ``adaptiveWingLoss(_:_:omega:theta:epsilon:alpha:reduction:)`` with the paper's settings,
    /// weighted 1 (its `omega` of 14 already scales it: on the background cells it is about
    /// `14 d^2.1`, where the reference's term is `10 d^2`), without the paper's weighted loss
    /// map, which exists for 64 x 64 heatmaps (one cell in 49 is the point's here).
    case adaptiveWing = "adaptive-wing"

    /// The weight of the score part in ``PIPNetLoss/total``.
    public var weight: Float {
        switch self {
        case .mse: return 10
        case .adaptiveWing: return 1
        }
    }

    /// The criterion's name with its weight, as training logs print it: "MSE x10", "adaptive wing".
    public var description: String {
        switch self {
        case .mse: return "MSE x10"
        case .adaptiveWing: return "adaptive wing"
        }
    }

    /// The unweighted criterion of `scores` against `target`, a mean over their entries.
    ///
    /// Shape: `[N, P, H, W]`, `[N, P, H, W]` -> `[]`.
    public func callAsFunction(_ scores: Tensor, _ target: Tensor) -> Tensor {
        switch self {
        case .mse: return mseLoss(scores, target)
        case .adaptiveWing: return adaptiveWingLoss(scores, target)
        }
    }
}
