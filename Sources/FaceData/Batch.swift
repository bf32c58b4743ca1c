import Foundation
import Tensor
import Vision

/// A batch of samples.
///
/// - `inputs`: `[N, C, H, W]`
/// - `targets`: `[N, 2K]`, normalized keypoints `[x0, y0, x1, y1, ...]` per row
/// - `info`: per sample, its index, identity and the transform back to the photo
/// - `mask`: `[N, 2K]`, 1 where the target is annotated and 0 where the point is absent (its
///   target is then 0); nil when every point of the batch is present
public struct Batch: Sendable {
    /// The stacked model inputs, pixels normalized as the dataset's ``InputFormat`` says.
    ///
    /// Shape: `[N, C, H, W]`.
    public var inputs: Tensor
    /// The normalized keypoint targets, `[x0, y0, x1, y1, ...]` per row (0 for absent points).
    ///
    /// Shape: `[N, 2K]`.
    public var targets: Tensor
    /// Per sample, in batch order: its index, identity and the transform back to the photo.
    public var info: [SampleInfo]
    /// 1 where the target is annotated and 0 where the point is absent; nil when every point of
    /// the batch is present.
    ///
    /// Shape: `[N, 2K]`.
    public var mask: Tensor?

    /// The dataset indices of the samples, in batch order.
    public var indices: [Int] { info.map(\.index) }
    /// The number of samples.
    public var count: Int { info.count }

    /// A batch without samples: a rank's share of an epoch's last batch when that batch has
    /// fewer samples than there are ranks (see ``DataShard``).
    public static let empty = Batch(inputs: Tensor.zeros([0]), targets: Tensor.zeros([0]), info: [], mask: nil)

    private init(inputs: Tensor, targets: Tensor, info: [SampleInfo], mask: Tensor?) {
        self.inputs = inputs
        self.targets = targets
        self.info = info
        self.mask = mask
    }

    /// Stacks samples of equal input and target shapes.
    public init(samples: [Sample]) {
        precondition(!samples.isEmpty, "Batch(samples:): expected at least one sample")
        let inputShape = samples[0].input.shape, targetShape = samples[0].target.shape
        var inputs = Tensor(uninitializedShape: [samples.count] + inputShape)
        var targets = Tensor(uninitializedShape: [samples.count] + targetShape)
        let inputCount = samples[0].input.count, targetCount = samples[0].target.count
        inputs.withUnsafeMutableBufferPointer { out in
            for (k, sample) in samples.enumerated() {
                precondition(
                    sample.input.shape == inputShape,
                    "Batch(samples:): sample \(sample.info.identity) has input \(sample.input.shape), expected \(inputShape)"
                )
                sample.input.withUnsafeBufferPointer {
                    (out.baseAddress! + k * inputCount).update(from: $0.baseAddress!, count: inputCount)
                }
            }
        }
        targets.withUnsafeMutableBufferPointer { out in
            for (k, sample) in samples.enumerated() {
                precondition(
                    sample.target.shape == targetShape,
                    "Batch(samples:): sample \(sample.info.identity) has target \(sample.target.shape), expected \(targetShape)"
                )
                sample.target.withUnsafeBufferPointer {
                    (out.baseAddress! + k * targetCount).update(from: $0.baseAddress!, count: targetCount)
                }
            }
        }
        if targets.scalars.contains(where: \.isNaN) {
            var mask = Tensor.zeros(targets.shape)
            mask.withUnsafeMutableBufferPointer { m in
                targets.withUnsafeMutableBufferPointer { t in
                    for i in t.indices {
                        if t[i].isNaN { t[i] = 0 } else { m[i] = 1 }
                    }
                }
            }
            self.mask = mask
        }
        self.inputs = inputs
        self.targets = targets
        self.info = samples.map(\.info)
    }

    /// Each sample's targets as points, in target order: normalized coordinates, the input's
    /// edges at ±1 (absent points at 0).
    public var targetPoints: [[SIMD2<Float>]] {
        let values = targets.scalars, points = count > 0 ? targets.count / (2 * count) : 0
        return (0..<count).map { sample in
            (0..<points).map { point in
                let index = (sample * points + point) * 2
                return SIMD2(values[index], values[index + 1])
            }
        }
    }

    /// Whether each sample's points are annotated, in target order (nil when all are: no ``mask``).
    public var presentPoints: [[Bool]]? {
        guard let mask else { return nil }
        let values = mask.scalars, points = count > 0 ? mask.count / (2 * count) : 0
        return (0..<count).map { sample in (0..<points).map { values[(sample * points + $0) * 2] > 0 } }
    }

    /// `loss(outputs, targets)` over the annotated values only: with a ``mask``, the outputs of
    /// absent points are replaced by their zero targets (no loss, no gradient) and the mean is
    /// rescaled from all values to the annotated ones. `loss` must be a mean of a per-value
    /// loss that is 0 at 0 (MSE, L1, smooth L1, wing).
    public func maskedLoss(_ outputs: Tensor, _ loss: (Tensor, Tensor) -> Tensor) -> Tensor {
        guard let mask else { return loss(outputs, targets) }
        let present = mask.scalars.reduce(Float(0), +)
        guard present > 0 else { return loss(outputs * mask, targets) * 0 }
        return loss(outputs * mask, targets) * (Float(mask.count) / present)
    }
}
