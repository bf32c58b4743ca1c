import Tensor

/// PIPNet's training loss and its parts (all scalars, differentiable): the mean squared error
/// of the score maps against the one-hot targets over every cell, and the mean absolute error
/// of each offset map at the points' cells only.
public struct PIPNetLoss: Sendable {
    /// `scoreWeight * scores + offsetWeight * (offsetX + offsetY + neighbourX + neighbourY)`.
    public let total: Tensor
    /// The unweighted parts: the score criterion, and the mean absolute errors of the x, y,
    /// neighbour x and neighbour y offset maps at the points' cells.
    public let scores, offsetX, offsetY, neighbourX, neighbourY: Tensor
}

/// PIPNet's loss (the reference's `compute_loss_pip` with its published settings: `l2` score
/// criterion, `l1` offset criterion, weights 10 and 1; or adaptive wing on the scores). Points
/// the targets mark absent are left out: each part is the mean over the annotated entries only.
///
/// ```swift
/// let loss = pipNetLoss(model.maps(images), PIPNetTargets(points: points, neighbours: neighbours, height: 8, width: 8))
/// loss.total.backward()
/// ```
///
/// Shape: maps and targets of one batch and grid -> ``PIPNetLoss`` of scalars `[]`.
/// - Parameters:
///   - maps: the network's score and offset maps (``PIPNet/maps(_:)``).
///   - targets: the cells, offsets and masks the maps are trained towards.
///   - scoreLoss: the score maps' criterion: `.mse` (the reference's) or adaptive wing.
///   - scoreWeight: the score part's weight (nil: `scoreLoss`'s ``PIPNetScoreLoss/weight``).
///   - offsetWeight: the offset parts' weight (the reference's 1).
public func pipNetLoss(
    _ maps: PIPNetMaps, _ targets: PIPNetTargets, scoreLoss: PIPNetScoreLoss = .mse, scoreWeight: Float? = nil,
    offsetWeight: Float = 1
) -> PIPNetLoss {
    precondition(
        maps.scores.shape == targets.scores.shape && maps.neighbourX.shape == targets.neighbourX.shape,
        "pipNetLoss: maps \(maps.scores.shape) and \(maps.neighbourX.shape), targets \(targets.scores.shape) and \(targets.neighbourX.shape)"
    )
    /// `loss(predicted, target)` over the entries `mask` keeps (all without one), as a mean over them.
    func masked(_ predicted: Tensor, _ target: Tensor, _ mask: Tensor?, _ loss: (Tensor, Tensor) -> Tensor) -> Tensor {
        guard let mask else { return loss(predicted, target) }
        let kept = mask.scalars.reduce(Float(0), +)
        guard kept > 0 else { return loss(predicted * 0, target * 0) }
        return loss(predicted * mask, target * mask)
            * (Float(predicted.count) / (kept * Float(predicted.count / mask.count)))
    }
    /// The L1 loss of `predicted` against `target` at the points' cells.
    func atPointCells(_ predicted: Tensor, _ target: Tensor, _ mask: Tensor?, channelsPerCell: Int = 1) -> Tensor {
        masked(
            selectCells(predicted, at: targets.cells, channelsPerCell: channelsPerCell),
            selectCells(target, at: targets.cells, channelsPerCell: channelsPerCell), mask
        ) { l1Loss($0, $1) }
    }
    let scoreMask = targets.pointMask.map { $0.reshaped($0.shape + [1, 1]) }
    let scores = masked(maps.scores, targets.scores, scoreMask) { scoreLoss($0, $1) }
    let offsetX = atPointCells(maps.offsetX, targets.offsetX, targets.pointMask)
    let offsetY = atPointCells(maps.offsetY, targets.offsetY, targets.pointMask)
    let neighbourX = atPointCells(
        maps.neighbourX, targets.neighbourX, targets.neighbourMask, channelsPerCell: maps.neighbours)
    let neighbourY = atPointCells(
        maps.neighbourY, targets.neighbourY, targets.neighbourMask, channelsPerCell: maps.neighbours)
    let total =
        (scoreWeight ?? scoreLoss.weight) * scores + offsetWeight * (offsetX + offsetY + neighbourX + neighbourY)
    return PIPNetLoss(
        total: total, scores: scores, offsetX: offsetX, offsetY: offsetY, neighbourX: neighbourX, neighbourY: neighbourY
    )
}
