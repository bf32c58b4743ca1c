import FaceData
import Vision

/// A keypoint model's output for a batch, read as its architecture is trained: two numbers per
/// point for the regression networks (`TargetNormalization`), PIPNet's joined maps for
/// PIPNet (``KeypointModelSpec/Architecture/isPIPNet``). The trainer, ``Evaluation`` and
/// ``KeypointModel`` all go through it, so every architecture trains and predicts the same way.
///
/// ```swift
/// let outputs = KeypointOutputs(model(batch.inputs), spec: spec)
/// let loss = outputs.loss(for: batch, regressionLoss: { wingLoss($0, $1, width: 0.05, curvature: 0.01) })
/// let estimates = outputs.estimates()                  // per image, input pixels
/// ```
///
/// Shape: `raw` is `[N, 2 points]` (regression) or `[N, 3 points + 2 points neighbours, H / 32, W / 32]` (PIPNet).
public struct KeypointOutputs {
    /// The model's output as it came.
    public let raw: Tensor
    /// The spec of the model that produced ``raw``.
    public let spec: KeypointModelSpec
    private let neighbours: PIPNetNeighbours?

    /// The output `raw` of a model built from `spec`.
    public init(_ raw: Tensor, spec: KeypointModelSpec) {
        self.raw = raw
        self.spec = spec
        neighbours = spec.pipNetNeighbours
    }

    /// PIPNet's maps (nil for regression models).
    public var maps: PIPNetMaps? {
        neighbours.map { PIPNetMaps(joined: raw, points: spec.pointCount, neighbours: $0.count) }
    }

    /// The training loss against `batch`'s targets: `regressionLoss` on the normalized
    /// coordinates (absent points masked, `Batch.maskedLoss(_:_:)`), or PIPNet's own loss
    /// (`pipNetLoss(_:_:scoreLoss:scoreWeight:offsetWeight:)` with `scoreLoss`, absent points
    /// masked the same way).
    public func loss(
        for batch: Batch, regressionLoss: (Tensor, Tensor) -> Tensor, scoreLoss: PIPNetScoreLoss = .mse
    ) -> Tensor {
        guard let maps, let neighbours else { return batch.maskedLoss(raw, regressionLoss) }
        let targets = batch.targets.scalars, mask = batch.mask?.scalars, points = spec.pointCount
        // A normalized target t = (p - size / 2) / (size / 2) is the fraction (t + 1) / 2 of the input.
        let fractions = (0..<batch.count).map { image in
            (0..<points).map { point in
                let index = (image * points + point) * 2
                return (SIMD2(targets[index], targets[index + 1]) + 1) / 2
            }
        }
        let present = mask.map { mask in
            (0..<batch.count).map { image in (0..<points).map { mask[(image * points + $0) * 2] > 0 } }
        }
        let pipTargets = PIPNetTargets(
            points: fractions, present: present, neighbours: neighbours, height: maps.height, width: maps.width)
        return pipNetLoss(maps, pipTargets, scoreLoss: scoreLoss).total
    }

    /// Each image's points in model-input pixels, with confidences for PIPNet, corrected by the
    /// spec's ``KeypointModelSpec/pointOffsets``.
    public func estimates() -> [KeypointEstimate] {
        corrected(decoded())
    }

    /// The points as the network's output says, before any ``KeypointModelSpec/pointOffsets``.
    private func decoded() -> [KeypointEstimate] {
        guard let maps, let neighbours else {
            let normalization = TargetNormalization(width: spec.inputWidth, height: spec.inputHeight)
            let values = raw.scalars, width = raw.shape[1]
            return (0..<raw.shape[0]).map { row in
                KeypointEstimate(
                    points: normalization.denormalize(Array(values[(row * width)..<((row + 1) * width)])),
                    confidences: nil)
            }
        }
        let stride = Float(spec.inputWidth) / Float(maps.width)
        return maps.decoded(neighbours: neighbours, stride: stride).map { prediction in
            KeypointEstimate(
                points: prediction.points, confidences: prediction.confidences.map { Swift.min(Swift.max($0, 0), 1) })
        }
    }

    /// `estimates` with the spec's point offsets added (unchanged without them).
    private func corrected(_ estimates: [KeypointEstimate]) -> [KeypointEstimate] {
        guard let offsets = spec.pointOffsets else { return estimates }
        return estimates.map {
            KeypointEstimate(points: zip($0.points, offsets).map { $0 + $1 }, confidences: $0.confidences)
        }
    }
}

extension KeypointOutputs {
    /// Test-time mirroring: the mean of each image's estimate and the estimate in `mirrored`, the
    /// model's outputs for the same inputs mirrored left to right (``mirroredInputs(_:)``), whose
    /// point `i` is the anatomical partner `mirror.permutation[i]`: it is reflected back and put
    /// in place before averaging. Confidences are averaged the same way. The spec's point offsets
    /// are added once, to the mean: they correct the annotations' habits, which a mirror reverses.
    public func estimates(mergingMirrored mirrored: KeypointOutputs, mirror: MirrorMap) -> [KeypointEstimate] {
        let width = Float(spec.inputWidth)
        return corrected(
            zip(decoded(), mirrored.decoded()).map { own, other in
                let reflected = mirror.reorder(other.points.map { Point(width - $0.x, $0.y) })
                let confidences = own.confidences.flatMap { own in
                    other.confidences.map { zip(own, mirror.reorder($0)).map { ($0 + $1) / 2 } }
                }
                return KeypointEstimate(
                    points: zip(own.points, reflected).map { ($0 + $1) / 2 }, confidences: confidences)
            })
    }

    /// Model inputs mirrored left to right (each row's pixels reversed): the crop of the mirrored
    /// photo, without warping it again.
    ///
    /// Shape: `[N, C, H, W]` -> `[N, C, H, W]`.
    public static func mirroredInputs(_ inputs: Tensor) -> Tensor {
        precondition(inputs.rank == 4, "KeypointOutputs.mirroredInputs: expected [N, C, H, W], got \(inputs.shape)")
        let width = inputs.shape[3]
        var mirrored = Tensor(uninitializedShape: inputs.shape)
        inputs.withUnsafeBufferPointer { source in
            mirrored.withUnsafeMutableBufferPointer { target in
                for row in stride(from: 0, to: source.count, by: width) {
                    for column in 0..<width { target[row + column] = source[row + width - 1 - column] }
                }
            }
        }
        return mirrored
    }
}
