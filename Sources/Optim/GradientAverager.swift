import Dispatch
import Tensor

/// Averages the gradients of a model's parameters over the ranks of a ``ProcessGroup`` after
/// each backward pass, so every rank's optimizer takes the same step (data parallelism, as
/// PyTorch's `DistributedDataParallel`).
///
/// The gradients travel in buckets of about `bucketBytes`, in parameter order: each bucket is
/// packed into one buffer, summed over the ranks with one all-reduce, and unpacked. Each rank
/// scales its gradient by its share of the global batch (`weight`: its samples over all ranks'
/// samples), so the sum is the gradient of the mean loss over the whole global batch, also when
/// the ranks' batches differ in size (the epoch's last batch).
///
/// ```swift
/// let averager = GradientAverager(model.parameters(), group: group)
/// optimizer.zeroGrad()
/// loss.backward()
/// averager.average(weight: Float(batch.count) / Float(globalBatchCount))
/// optimizer.step()
/// ```
///
/// Every rank must call ``average(weight:)`` once per step. Frozen parameters
/// (`requiresGrad == false`) are left out; a trainable parameter without a gradient on this
/// rank (not used by its loss) counts as zeros and ends the step with the averaged gradient.
public final class GradientAverager {
    /// The trainable parameters, in the order their gradients travel.
    public let parameters: [Parameter]
    /// The ranks the gradients are summed over.
    public let group: any ProcessGroup
    /// Index ranges into ``parameters``, one per all-reduce.
    public let buckets: [Range<Int>]
    /// Seconds spent in the all-reduce calls (including waiting for slower ranks) since the last
    /// ``resetTiming()``.
    public private(set) var communicationSeconds: Double = 0
    private var buffer: [Float]

    /// Groups the trainable `parameters` into buckets of at most `bucketBytes` (a parameter larger
    /// than that gets a bucket of its own). PyTorch's default bucket is 25 MB.
    public init(_ parameters: [Parameter], group: any ProcessGroup, bucketBytes: Int = 25 << 20) {
        precondition(bucketBytes > 0, "GradientAverager: bucketBytes must be positive, got \(bucketBytes)")
        let trainable = parameters.filter(\.requiresGrad)
        self.parameters = trainable
        self.group = group
        var buckets: [Range<Int>] = [], start = 0, bytes = 0
        for (index, parameter) in trainable.enumerated() {
            let size = parameter.value.count * MemoryLayout<Float>.stride
            if index > start && bytes + size > bucketBytes {
                buckets.append(start..<index)
                (start, bytes) = (index, 0)
            }
            bytes += size
        }
        if start < trainable.count { buckets.append(start..<trainable.count) }
        self.buckets = buckets
        let largest = buckets.map { $0.reduce(0) { $0 + trainable[$1].value.count } }.max() ?? 0
        buffer = [Float](repeating: 0, count: largest)
    }

    /// Replaces every gradient with the weighted sum over the ranks of `weight * gradient`.
    /// With `weight` = this rank's samples / all ranks' samples, that is the gradient of the mean
    /// loss over the global batch.
    public func average(weight: Float) {
        guard group.size > 1 else { return }
        for bucket in buckets {
            let count = bucket.reduce(0) { $0 + parameters[$1].value.count }
            buffer.withUnsafeMutableBufferPointer { storage in
                let packed = UnsafeMutableBufferPointer(rebasing: storage[0..<count])
                var offset = 0
                for index in bucket {
                    let parameter = parameters[index], n = parameter.value.count
                    if let grad = parameter.grad {
                        grad.withUnsafeBufferPointer { source in
                            for i in 0..<n { packed[offset + i] = source[i] * weight }
                        }
                    } else {
                        packed[offset..<(offset + n)].update(repeating: 0)
                    }
                    offset += n
                }
                let start = DispatchTime.now().uptimeNanoseconds
                group.allReduceSum(packed)
                communicationSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                offset = 0
                for index in bucket {
                    let parameter = parameters[index], n = parameter.value.count
                    var grad = Tensor(uninitializedShape: parameter.shape)
                    grad.withUnsafeMutableBufferPointer { target in
                        target.baseAddress!.update(from: packed.baseAddress! + offset, count: n)
                    }
                    parameter.grad = grad
                    offset += n
                }
            }
        }
    }

    /// Starts a new measurement of ``communicationSeconds``.
    public func resetTiming() { communicationSeconds = 0 }
}
