import Synchronization
import Tensor

/// How a convolution splits its batch into groups of images, each computed with one matrix
/// product `weight [O, K] x patches [K, G * L]`.
///
/// A group is one image when an image has many output positions (its product is large and
/// its output lands directly in `[N, O, L]` order, with no reordering); images with few
/// positions (deep layers) are grouped so the product stays wide enough to run well. With
/// two or more threads and at least as many groups, the groups are spread over the threads,
/// each running single-threaded products on its own scratch buffers; otherwise the groups
/// run one after the other, with multi-threaded products and parallel unfolding.
struct ConvolutionPlan {
    /// Products narrower than this many columns are widened by grouping images.
    static let targetColumns = 2048

    let g: ConvolutionGeometry
    let groupSize: Int
    let groups: Int
    let workers: Int
    /// Whether the groups are spread over the workers (single-threaded BLAS inside).
    let parallelGroups: Bool
    /// 1x1 kernel, stride 1, no padding: the input of one image already is its patch matrix.
    let isPointwise: Bool

    init(_ g: ConvolutionGeometry) {
        self.g = g
        let threads = ComputeThreads.count
        var wanted = Swift.max(1, (g.batch * g.outputPlane + Self.targetColumns - 1) / Self.targetColumns)
        if threads > 1 { wanted = (wanted + threads - 1) / threads * threads }
        let groups = Swift.min(g.batch, wanted)
        groupSize = groups == 0 ? 1 : (g.batch + groups - 1) / groups
        self.groups = (g.batch + groupSize - 1) / groupSize  // none for an empty batch
        parallelGroups = threads > 1 && self.groups >= threads
        workers = parallelGroups ? threads : 1
        isPointwise =
            g.kernelHeight == 1 && g.kernelWidth == 1 && g.strideY == 1 && g.strideX == 1
            && g.paddingY == 0 && g.paddingX == 0
    }

    /// How many partial sums a gradient the groups accumulate needs: one per group when the
    /// groups are spread over the workers (whichever worker takes a group, the sums are the same
    /// once added in group order), else one for all.
    var partialSumSlots: Int { parallelGroups ? groups : 1 }

    /// ``partialSumSlots`` partial sums of `count` values each, for the groups to write: zeros
    /// when there is no group to write them (an empty batch, whose gradients are zero, as in PyTorch).
    func partialSums(count: Int) -> Tensor {
        let shape = [partialSumSlots, count]
        return groups == 0 ? Tensor.zeros(shape) : Tensor(uninitializedShape: shape)
    }

    /// The images of group `group`.
    func images(_ group: Int) -> Range<Int> {
        (group * groupSize)..<Swift.min(g.batch, (group + 1) * groupSize)
    }

    /// The patch matrix `[C * kH * kW, G * L]` of `images`: unfolded into `scratch`, or for a
    /// single image of a pointwise convolution, the input itself.
    func patches(
        _ input: UnsafePointer<Float>, images: Range<Int>, scratch: UnsafeMutablePointer<Float>,
        parallel: Bool
    ) -> UnsafePointer<Float> {
        if isPointwise && groupSize == 1 { return input + images.lowerBound * g.channels * g.outputPlane }
        im2col(input, g, images: images, into: scratch, parallel: parallel)
        return UnsafePointer(scratch)
    }

    /// Calls `body(groups, parallelInside)` once per worker; each worker takes the next group
    /// not yet taken (`groups.next()`) until none is left, so a worker slowed down (by another
    /// process on its core) takes fewer groups instead of holding the others at the barrier.
    func run(_ body: (_ groups: GroupQueue, _ parallelInside: Bool) -> Void) {
        let queue = GroupQueue(count: groups)
        if parallelGroups {
            parallelFor(workers) { _ in body(queue, false) }
        } else {
            body(queue, ComputeThreads.count > 1)
        }
    }
}
