import Tensor

/// PIPNet's training loss and its parts (all scalars, differentiable): the mean squared error
/// of the score maps against the one-hot targets over every cell, and the mean absolute error
/// of each offset map at the points' cells only.
public struct PIPNetLoss: Sendable {
    /// `scoreWeight * scores + offsetWeight * (offsetX + offsetY + neighbourX + neighbourY)`.
    public let total: Tensor
    public let scores, offsetX, offsetY, neighbourX, neighbourY: Tensor
}

/// PIPNet's loss (the reference's `compute_loss_pip` with its published settings: `l2` score
/// criterion, `l1` offset criterion, weights 10 and 1).
///
/// ```swift
/// let loss = pipNetLoss(model.maps(images), PIPNetTargets(points: points, neighbours: neighbours, height: 8, width: 8))
/// loss.total.backward()
/// ```
///
/// Shape: maps and targets of one batch and grid -> ``PIPNetLoss`` of scalars `[]`.
public func pipNetLoss(_ maps: PIPNetMaps, _ targets: PIPNetTargets, scoreWeight: Float = 10, offsetWeight: Float = 1) -> PIPNetLoss {
    precondition(maps.scores.shape == targets.scores.shape && maps.neighbourX.shape == targets.neighbourX.shape,
                 "pipNetLoss: maps \(maps.scores.shape) and \(maps.neighbourX.shape), targets \(targets.scores.shape) and \(targets.neighbourX.shape)")
    /// The L1 loss of `predicted` against `target` at the points' cells.
    func atPointCells(_ predicted: Tensor, _ target: Tensor, channelsPerCell: Int = 1) -> Tensor {
        l1Loss(selectCells(predicted, at: targets.cells, channelsPerCell: channelsPerCell),
               selectCells(target, at: targets.cells, channelsPerCell: channelsPerCell))
    }
    let scores = mseLoss(maps.scores, targets.scores)
    let offsetX = atPointCells(maps.offsetX, targets.offsetX), offsetY = atPointCells(maps.offsetY, targets.offsetY)
    let neighbourX = atPointCells(maps.neighbourX, targets.neighbourX, channelsPerCell: maps.neighbours)
    let neighbourY = atPointCells(maps.neighbourY, targets.neighbourY, channelsPerCell: maps.neighbours)
    let total = scoreWeight * scores + offsetWeight * (offsetX + offsetY + neighbourX + neighbourY)
    return PIPNetLoss(total: total, scores: scores, offsetX: offsetX, offsetY: offsetY, neighbourX: neighbourX, neighbourY: neighbourY)
}
