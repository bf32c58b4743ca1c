/// Greedy non-maximum suppression, as torchvision's `nms` / `batched_nms` and as
/// facenet-pytorch's `batched_nms_numpy` compute it, bit for bit.
///
/// Boxes are flat `[x1, y1, x2, y2]` quadruples in one contiguous `[Float]` (4 per box);
/// results are indices into them, highest score first.
///
/// Two box conventions:
/// - ``select(boxes:scores:groups:iouThreshold:)`` is torchvision's: continuous boxes, area
///   `(x2 - x1) * (y2 - y1)`; a box is dropped when its IoU with a kept box is
///   `> iouThreshold` (the overlap, a Float, compared with the Double threshold). Ties in score
///   keep the lower index first (torchvision sorts stably).
/// - ``selectInclusive(boxes:scores:groups:threshold:overlap:)`` is facenet-pytorch's (from the
///   MATLAB original): inclusive pixel boxes, area `(x2 - x1 + 1) * (y2 - y1 + 1)`; a box
///   survives while its overlap is `<= threshold` (both Float32, as numpy compares them), and
///   the overlap is IoU or intersection over the smaller area (`'Min'`). Ties in score: the
///   higher index is taken first, which is what numpy's `argsort` does for small arrays; numpy
///   does not promise a stable order, so on larger tied sets facenet-pytorch's order may differ.
///
/// Above 4000 coordinates torchvision's `batched_nms` orders what it keeps with PyTorch's
/// unstable sort; ties then come out in that sort's order, which is replayed too.
///
/// Groups (`batched_nms`): boxes of different groups never suppress each other. Both functions
/// do it as their references do, by shifting each group by `group * (max coordinate + 1)`
/// in Float32 (torchvision switches to a per-group loop above 4000 coordinates; so does this).
///
/// ```swift
/// let keep = NonMaximumSuppression.select(boxes: flat, scores: scores, iouThreshold: 0.5)
/// ```
public enum NonMaximumSuppression {
    /// How two boxes' overlap is measured.
    public enum Overlap: Sendable {
        /// Intersection over union.
        case union
        /// Intersection over the smaller of the two areas (facenet-pytorch's `'Min'`).
        case minimum
    }

    /// torchvision's `batched_nms` (or `nms` when `groups` is nil).
    ///
    /// Shape: `boxes` `[n * 4]`, `scores` `[n]`, `groups` `[n]` -> kept indices, `[k]`.
    public static func select(boxes: [Float], scores: [Float], groups: [Int]? = nil, iouThreshold: Double) -> [Int] {
        check(boxes, scores, groups, "select")
        guard let groups, !scores.isEmpty else { return torchvisionNMS(boxes, scores, iouThreshold) }
        if boxes.count > 4000 {
            // torchvision's `_batched_nms_vanilla`: NMS per group, then all kept sorted by score.
            var kept = [Bool](repeating: false, count: scores.count)
            for group in Set(groups) {
                let members = groups.indices.filter { groups[$0] == group }
                var subBoxes = [Float]()
                subBoxes.reserveCapacity(members.count * 4)
                for i in members { subBoxes.append(contentsOf: boxes[(4 * i)..<(4 * i + 4)]) }
                let keep = torchvisionNMS(subBoxes, members.map { scores[$0] }, iouThreshold)
                for k in keep { kept[members[k]] = true }
            }
            let keptIndices = kept.indices.filter { kept[$0] }
            return torchDescendingOrder(keptIndices.map { scores[$0] }).map { keptIndices[$0] }
        }
        return torchvisionNMS(offsetByGroup(boxes, groups), scores, iouThreshold)
    }

    /// facenet-pytorch's `batched_nms_numpy` (its `nms_numpy` when `groups` is nil).
    ///
    /// Shape: `boxes` `[n * 4]`, `scores` `[n]`, `groups` `[n]` -> kept indices, `[k]`.
    public static func selectInclusive(
        boxes: [Float], scores: [Float], groups: [Int]? = nil,
        threshold: Float, overlap: Overlap
    ) -> [Int] {
        check(boxes, scores, groups, "selectInclusive")
        if scores.isEmpty { return [] }
        let shifted = groups.map { offsetByGroup(boxes, $0) } ?? boxes
        let n = scores.count
        var area = [Float](repeating: 0, count: n)
        for i in 0..<n {
            area[i] = (shifted[4 * i + 2] - shifted[4 * i] + 1) * (shifted[4 * i + 3] - shifted[4 * i + 1] + 1)
        }
        // Ascending by score, ties by ascending index; the last is taken first.
        var order = Array(0..<n)
        order.sort { scores[$0] != scores[$1] ? scores[$0] < scores[$1] : $0 < $1 }
        var remaining = order, next = [Int](), pick = [Int]()
        remaining.reserveCapacity(n)
        next.reserveCapacity(n)
        while let i = remaining.last {
            pick.append(i)
            next.removeAll(keepingCapacity: true)
            for j in remaining.dropLast() {
                let xx1 = max(shifted[4 * i], shifted[4 * j]), yy1 = max(shifted[4 * i + 1], shifted[4 * j + 1])
                let xx2 = min(shifted[4 * i + 2], shifted[4 * j + 2]), yy2 = min(shifted[4 * i + 3], shifted[4 * j + 3])
                let w = max(0, xx2 - xx1 + 1), h = max(0, yy2 - yy1 + 1)
                let inter = w * h
                let o = overlap == .minimum ? inter / min(area[i], area[j]) : inter / (area[i] + area[j] - inter)
                if o <= threshold { next.append(j) }
            }
            swap(&remaining, &next)
        }
        return pick
    }

    private static func check(_ boxes: [Float], _ scores: [Float], _ groups: [Int]?, _ name: String) {
        precondition(
            boxes.count == 4 * scores.count,
            "NonMaximumSuppression.\(name): \(scores.count) scores need \(4 * scores.count) box coordinates, got \(boxes.count)"
        )
        precondition(
            groups == nil || groups!.count == scores.count,
            "NonMaximumSuppression.\(name): \(scores.count) scores need as many groups, got \(groups!.count)")
    }

    /// Each box shifted by `Float(group) * (max coordinate + 1)`, the batching trick of both references.
    private static func offsetByGroup(_ boxes: [Float], _ groups: [Int]) -> [Float] {
        let top = boxes.max() ?? 0
        var shifted = boxes
        for i in groups.indices {
            let offset = Float(groups[i]) * (top + 1)
            for k in 0..<4 { shifted[4 * i + k] = boxes[4 * i + k] + offset }
        }
        return shifted
    }

    /// Indices sorted by descending value; equal values keep ascending index order.
    private static func stableDescending(_ values: [Float]) -> [Int] {
        Array(values.indices).sorted { values[$0] != values[$1] ? values[$0] > values[$1] : $0 < $1 }
    }

    /// The order of `torch.sort(values, descending=True)` on the CPU (not stable): PyTorch
    /// sorts value-index pairs with libstdc++'s `std::sort`, an introsort whose handling of
    /// equal values is replayed here step for step (median-of-three pivot, unguarded
    /// partition, insertion sort of runs of 16). Should the recursion reach libstdc++'s depth
    /// limit, where it switches to heap sort, this falls back to a stable order.
    static func torchDescendingOrder(_ values: [Float]) -> [Int] {
        var keys = values
        var order = Array(values.indices)
        let n = keys.count
        if n < 2 { return order }
        // KeyValueCompDesc: NaN first, then greater values first.
        func before(_ a: Float, _ b: Float) -> Bool { (a.isNaN && !b.isNaN) || a > b }
        func swapAt(_ i: Int, _ j: Int) {
            keys.swapAt(i, j)
            order.swapAt(i, j)
        }
        var exhausted = false
        func introsort(_ first: Int, _ last: Int, _ depth: Int) {
            var last = last, depth = depth
            while last - first > 16 {
                if depth == 0 {
                    exhausted = true
                    return
                }
                depth -= 1
                // __move_median_to_first(first, first + 1, mid, last - 1)
                let a = first + 1, b = first + (last - first) / 2, c = last - 1
                if before(keys[a], keys[b]) {
                    if before(keys[b], keys[c]) {
                        swapAt(first, b)
                    } else if before(keys[a], keys[c]) {
                        swapAt(first, c)
                    } else {
                        swapAt(first, a)
                    }
                } else if before(keys[a], keys[c]) {
                    swapAt(first, a)
                } else if before(keys[b], keys[c]) {
                    swapAt(first, c)
                } else {
                    swapAt(first, b)
                }
                // __unguarded_partition(first + 1, last, pivot: first)
                var lo = first + 1, hi = last
                while true {
                    while before(keys[lo], keys[first]) { lo += 1 }
                    hi -= 1
                    while before(keys[first], keys[hi]) { hi -= 1 }
                    if !(lo < hi) { break }
                    swapAt(lo, hi)
                    lo += 1
                }
                introsort(lo, last, depth)
                last = lo
            }
        }
        func linearInsert(_ position: Int) {  // __unguarded_linear_insert
            let key = keys[position], index = order[position]
            var last = position, next = position - 1
            while before(key, keys[next]) {
                keys[last] = keys[next]
                order[last] = order[next]
                last = next
                next -= 1
            }
            keys[last] = key
            order[last] = index
        }
        func insertionSort(_ first: Int, _ last: Int) {  // __insertion_sort
            guard first != last else { return }
            for i in (first + 1)..<last {
                if before(keys[i], keys[first]) {
                    let key = keys[i], index = order[i]
                    var j = i
                    while j > first {
                        keys[j] = keys[j - 1]
                        order[j] = order[j - 1]
                        j -= 1
                    }
                    keys[first] = key
                    order[first] = index
                } else {
                    linearInsert(i)
                }
            }
        }
        introsort(0, n, 2 * (Int.bitWidth - 1 - n.leadingZeroBitCount))
        if exhausted { return stableDescending(values) }
        if n > 16 {
            insertionSort(0, 16)
            for i in 16..<n { linearInsert(i) }
        } else {
            insertionSort(0, n)
        }
        return order
    }

    /// torchvision's CPU `nms` kernel.
    private static func torchvisionNMS(_ boxes: [Float], _ scores: [Float], _ threshold: Double) -> [Int] {
        let n = scores.count
        if n == 0 { return [] }
        var area = [Float](repeating: 0, count: n)
        for i in 0..<n { area[i] = (boxes[4 * i + 2] - boxes[4 * i]) * (boxes[4 * i + 3] - boxes[4 * i + 1]) }
        let order = stableDescending(scores)
        var suppressed = [Bool](repeating: false, count: n)
        var keep = [Int]()
        for a in 0..<n {
            let i = order[a]
            if suppressed[i] { continue }
            keep.append(i)
            let ix1 = boxes[4 * i], iy1 = boxes[4 * i + 1], ix2 = boxes[4 * i + 2], iy2 = boxes[4 * i + 3]
            for b in (a + 1)..<n {
                let j = order[b]
                if suppressed[j] { continue }
                let xx1 = max(ix1, boxes[4 * j]), yy1 = max(iy1, boxes[4 * j + 1])
                let xx2 = min(ix2, boxes[4 * j + 2]), yy2 = min(iy2, boxes[4 * j + 3])
                let inter = max(0, xx2 - xx1) * max(0, yy2 - yy1)
                let overlap = inter / (area[i] + area[j] - inter)
                if Double(overlap) > threshold { suppressed[j] = true }
            }
        }
        return keep
    }
}
