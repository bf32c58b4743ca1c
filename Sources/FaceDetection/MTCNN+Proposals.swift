import Tensor

extension MTCNN {
    /// Stage 1 on every pyramid level, in level order: the boxes of each level's cells at or
    /// above the first threshold (``cellBoxes(_:scale:)``), kept by IoU NMS at 0.5 within
    /// the level.
    ///
    /// The levels do not depend on each other, so with two or more ``ComputeThreads`` they run
    /// concurrently, one level per worker at a time, each with single-threaded matrix
    /// products; the largest level (about half of the work) goes first. Each level's boxes go
    /// into a slot of their own and are joined in level order, so the result is the same as
    /// running the levels one after the other.
    ///
    /// Shape: `rgb` is `[3 * height * width]` (``rgb255(_:)``).
    func proposals(_ rgb: [Float], width: Int, height: Int, levels: [ImagePyramid.Level]) -> [Candidate] {
        var perLevel = [[Candidate]](repeating: [], count: levels.count)
        perLevel.withUnsafeMutableBufferPointer { slots in
            let slots = UncheckedSendable(slots.baseAddress!)
            rgb.withUnsafeBufferPointer { image in
                parallelFor(levels.count) { k in
                    slots.value[k] = proposals(image, width: width, height: height, level: levels[k])
                }
            }
        }
        return perLevel.flatMap { $0 }
    }

    /// Stage 1 on one level: the image area-resampled to the level's size, normalized, run
    /// through the proposal stage; its cells' boxes kept by IoU NMS at 0.5.
    func proposals(_ rgb: UnsafeBufferPointer<Float>, width: Int, height: Int, level: ImagePyramid.Level) -> [Candidate]
    {
        var input = Tensor(uninitializedShape: [1, 3, level.height, level.width])
        input.withUnsafeMutableBufferPointer { target in
            for c in 0..<3 {
                AreaResampling.resample(
                    rgb, planeOffset: c * height * width, rowStride: width,
                    region: (x: 0, y: 0, width: width, height: height),
                    into: target, at: c * level.height * level.width,
                    height: level.height, width: level.width)
            }
            Self.normalize(target)
        }
        let found = cellBoxes(stages.proposal(input), scale: level.scale)
        let keep = NonMaximumSuppression.select(
            boxes: Self.corners(found), scores: found.map(\.score),
            groups: Self.oneImage(found), iouThreshold: 0.5)
        return keep.map { found[$0] }
    }
}
