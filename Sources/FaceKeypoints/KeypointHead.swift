import FaceData
import NN
import Tensor
import Vision

/// How a keypoint network's output becomes a training loss and points: the one place that
/// tells regression from PIPNet. Chosen once from the spec (``KeypointModelSpec/head``); the
/// trainer, ``Evaluation`` and ``KeypointModel`` all go through it, so every architecture trains
/// and predicts the same way.
///
/// ```swift
/// let head = spec.head
/// let outputs = head.outputs(of: network, for: batch.inputs)
/// let loss = head.loss(outputs, for: batch, regressionLoss: { mseLoss($0, $1) })
/// let estimates = head.estimates(outputs)               // per image, model-input pixels
/// ```
public struct KeypointHead: Sendable, Equatable {
    /// What the network outputs.
    public enum Kind: Sendable, Equatable {
        /// Two normalized coordinates per point: NoseNet, StudyPart2Net, ResNet18 and integral
        /// regression.
        case regression
        /// PIPNet's maps, each point also estimated by the points of its neighbour lists.
        case pipNet(PIPNetNeighbours)
    }

    /// What the network outputs.
    public let kind: Kind
    /// The model input's width, in pixels.
    public let inputWidth: Int
    /// The model input's height, in pixels.
    public let inputHeight: Int
    /// Added to each decoded point, in model-input pixels (``KeypointModelSpec/pointOffsets``).
    public let pointOffsets: [Point]?

    /// The head of a model built from `spec`.
    public init(spec: KeypointModelSpec) {
        kind = spec.pipNetNeighbours.map(Kind.pipNet) ?? .regression
        (inputWidth, inputHeight, pointOffsets) = (spec.inputWidth, spec.inputHeight, spec.pointOffsets)
    }

    /// The outputs of `network` (built from the same spec) for `inputs`, typed.
    ///
    /// Shape: `[N, C, H, W]` -> coordinates `[N, 2 points]` or PIPNet's maps.
    public func outputs(of network: Module, for inputs: Tensor) -> KeypointOutputs {
        guard case .pipNet = kind else { return .coordinates(network(inputs)) }
        guard let pipNet = network as? PIPNet else {
            preconditionFailure("KeypointHead: a PIPNet head needs a PIPNet network, got \(network.typeName)")
        }
        return .maps(pipNet.maps(inputs))
    }

    /// The training loss against `batch`'s targets: `regressionLoss` on the normalized
    /// coordinates (absent points masked, `Batch.maskedLoss(_:_:)`), or PIPNet's own loss
    /// (NN's `pipNetLoss(_:_:scoreLoss:scoreWeight:offsetWeight:)` with `scoreLoss`, absent points
    /// masked the same way).
    public func loss(
        _ outputs: KeypointOutputs, for batch: Batch, regressionLoss: (Tensor, Tensor) -> Tensor,
        scoreLoss: PIPNetScoreLoss = .mse
    ) -> Tensor {
        switch (kind, outputs) {
        case (.regression, .coordinates(let coordinates)):
            return batch.maskedLoss(coordinates, regressionLoss)
        case (.pipNet(let neighbours), .maps(let maps)):
            // A normalized target t = (p - size / 2) / (size / 2) is the fraction (t + 1) / 2 of the input.
            let targets = PIPNetTargets(
                points: batch.targetPoints.map { $0.map { ($0 + 1) / 2 } }, present: batch.presentPoints,
                neighbours: neighbours, height: maps.height, width: maps.width)
            return pipNetLoss(maps, targets, scoreLoss: scoreLoss).total
        default:
            preconditionFailure("KeypointHead.loss: \(kind) head given outputs of another head")
        }
    }

    /// Each image's points in model-input pixels, with confidences for PIPNet, corrected by
    /// ``pointOffsets``.
    public func estimates(_ outputs: KeypointOutputs) -> [KeypointEstimate] {
        corrected(decoded(outputs))
    }

    /// Test-time mirroring: the mean of each image's estimate and the estimate in `mirrored`, the
    /// outputs for the same inputs mirrored left to right (``KeypointOutputs/mirroredInputs(_:)``),
    /// whose point `i` is the anatomical partner `mirror.permutation[i]`: it is reflected back and
    /// put in place before averaging. Confidences are averaged the same way. The point offsets
    /// are added once, to the mean: they correct the annotations' habits, which a mirror reverses.
    public func estimates(
        _ outputs: KeypointOutputs, mergingMirrored mirrored: KeypointOutputs, mirror: MirrorMap
    ) -> [KeypointEstimate] {
        let width = Float(inputWidth)
        return corrected(
            zip(decoded(outputs), decoded(mirrored)).map { own, other in
                let reflected = mirror.reorder(other.points.map { Point(width - $0.x, $0.y) })
                let confidences = own.confidences.flatMap { own in
                    other.confidences.map { zip(own, mirror.reorder($0)).map { ($0 + $1) / 2 } }
                }
                return KeypointEstimate(
                    points: zip(own.points, reflected).map { ($0 + $1) / 2 }, confidences: confidences)
            })
    }

    /// The points as the network's output says, before any point offsets.
    private func decoded(_ outputs: KeypointOutputs) -> [KeypointEstimate] {
        switch (kind, outputs) {
        case (.regression, .coordinates(let coordinates)):
            let normalization = TargetNormalization(width: inputWidth, height: inputHeight)
            let values = coordinates.scalars, width = coordinates.shape[1]
            return (0..<coordinates.shape[0]).map { row in
                KeypointEstimate(
                    points: normalization.denormalize(Array(values[(row * width)..<((row + 1) * width)])),
                    confidences: nil)
            }
        case (.pipNet(let neighbours), .maps(let maps)):
            let stride = Float(inputWidth) / Float(maps.width)
            return maps.decoded(neighbours: neighbours, stride: stride).map { prediction in
                KeypointEstimate(
                    points: prediction.points,
                    confidences: prediction.confidences.map { Swift.min(Swift.max($0, 0), 1) })
            }
        default:
            preconditionFailure("KeypointHead.estimates: \(kind) head given outputs of another head")
        }
    }

    /// `estimates` with the point offsets added (unchanged without them).
    private func corrected(_ estimates: [KeypointEstimate]) -> [KeypointEstimate] {
        guard let pointOffsets else { return estimates }
        return estimates.map {
            KeypointEstimate(points: zip($0.points, pointOffsets).map { $0 + $1 }, confidences: $0.confidences)
        }
    }
}

extension KeypointModelSpec {
    /// How this model's output becomes a loss and points.
    public var head: KeypointHead { KeypointHead(spec: self) }
}
