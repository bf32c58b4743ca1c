import Tensor
import Vision

/// The MTCNN face detector's pipeline, step for step as facenet-pytorch 2.6.0's `detect_face`
/// and `MTCNN.detect` (default `select_largest=True`), with the networks passed in as
/// ``MTCNNStages``.
///
/// 1. The image becomes 8-bit RGB, as facenet-pytorch's `np.uint8(img)`: samples `0...1` are
///    scaled by 255 and rounded; a gray image's channel is copied to R, G and B; alpha is
///    dropped.
/// 2. Proposal: at every scale of the ``ImagePyramid`` the image is area-resampled
///    (``AreaResampling``), normalized, and run through the proposal stage; every cell with
///    face probability `>= thresholds[0]` gives the box `floor((2 * cell + 1) / scale)` ...
///    `floor((2 * cell + 12) / scale)` (`generateBoundingBox`), kept by IoU NMS at 0.5 per scale,
///    then at 0.7 across scales, moved by its regression (times `x2 - x1`) and squared (`rerec`).
/// 3. Refinement: each box, truncated to integers and clipped to the image (`pad`, 1-based), is
///    cropped, area-resampled to 24x24 and scored; boxes with probability `> thresholds[1]`
///    survive IoU NMS at 0.7, are moved by their regression (times `x2 - x1 + 1`, `bbreg`) and
///    squared.
/// 4. Output: the same with 48x48 crops and `> thresholds[2]`; the landmarks are placed in the
///    crop's box, the box is moved by its regression, and NMS with 'Min' overlap at 0.7 keeps
///    the final faces, which are then ordered by area, largest first.
///
/// Every step uses facenet-pytorch's arithmetic (Float32 where it computes in float32, Double
/// where Python does), so the boxes agree bit for bit with it given the same stages.
/// Departures, where facenet-pytorch fails: an image too small for one pyramid level gives
/// `[]` (facenet-pytorch raises in `torch.cat`); a box lying wholly outside the image, which
/// facenet-pytorch skips when cropping and then fails on, is dropped.
///
/// ```swift
/// let detector = MTCNN(stages: stages)
/// for face in try detector.faces(in: try Image(contentsOf: url)) {
///     print(face.box, face.score, face.points5)
/// }
/// ```
public struct MTCNN: Sendable {
    /// The three networks.
    public var stages: MTCNNStages
    /// The smallest face searched for, in pixels (facenet-pytorch's `min_face_size`).
    public var minimumFaceSize: Int
    /// Face-probability thresholds of the three stages.
    public var thresholds: [Float]
    /// The ratio between pyramid scales.
    public var scaleFactor: Float
    /// Order faces by box area, largest first (facenet-pytorch's default); otherwise by the
    /// final NMS's order, highest score first.
    public var selectLargest: Bool
    /// The smallest ``minimumFaceSize`` worth asking for: P-Net's 12-pixel cell. A smaller one
    /// scales the photo up by `12 / minimumFaceSize` a side before the first pyramid level,
    /// finding nothing the network can see and costing the square of that in memory.
    public static let smallestMinimumFaceSize = 12

    /// The most pixels the pyramid is built from: ``maximumPyramidPixelCount`` unless set.
    public var pyramidPixelLimit = MTCNN.maximumPyramidPixelCount

    /// Crops per call of the refine and output stages (facenet-pytorch's `fixed_batch_process`).
    static let batchSize = 512

    /// A detector with facenet-pytorch's defaults.
    public init(
        stages: MTCNNStages, minimumFaceSize: Int = 20, thresholds: [Float] = [0.6, 0.7, 0.7],
        scaleFactor: Float = 0.709, selectLargest: Bool = true
    ) {
        precondition(minimumFaceSize > 0, "MTCNN: minimumFaceSize must be positive, got \(minimumFaceSize)")
        precondition(thresholds.count == 3, "MTCNN: need 3 thresholds, got \(thresholds)")
        precondition(scaleFactor > 0 && scaleFactor < 1, "MTCNN: scaleFactor must be in (0, 1), got \(scaleFactor)")
        self.stages = stages
        self.minimumFaceSize = minimumFaceSize
        self.thresholds = thresholds
        self.scaleFactor = scaleFactor
        self.selectLargest = selectLargest
    }

    /// The pyramid factor as Python holds it: the Double nearest the Float's shortest decimal
    /// form, so `0.709` means Python's `0.709`, not `Double(Float(0.709))`.
    var factor: Double { Double(scaleFactor.description) ?? Double(scaleFactor) }

    /// A box with its score and regression (or, after the last stage, its landmarks).
    struct Candidate {
        var x1: Float, y1: Float, x2: Float, y2: Float, score: Float
        var regression: SIMD4<Float>
    }

    /// The most pixels the pyramid is built from (12 megapixels, a phone's photo). A larger
    /// image is searched in a copy scaled down to this many pixels, so the smallest face found
    /// grows by the same factor: memory stays bounded (a 10000x10000 photo, 97 KB as a PNG,
    /// would otherwise need over 5 GB for its pyramid; Docs/Reliability.md).
    public static let maximumPyramidPixelCount = 12_000_000

    /// The faces in `image`, largest first (see ``selectLargest``); `[]` when the image is
    /// smaller than ``minimumFaceSize``. Over ``pyramidPixelLimit`` pixels, found in a copy
    /// scaled down to that size, in `image`'s pixels.
    ///
    /// Shape: an image of 1 to 4 channels, any size; samples in `0...1`.
    public func faces(in image: Image) throws(MTCNNError) -> [DetectedFace] {
        guard image.width > 0, image.height > 0 else {
            throw .emptyImage(width: image.width, height: image.height)
        }
        if image.width * image.height > pyramidPixelLimit {
            let scale = (Double(pyramidPixelLimit) / Double(image.width * image.height)).squareRoot()
            let small = image.resized(
                width: Swift.max(1, Int(Double(image.width) * scale)),
                height: Swift.max(1, Int(Double(image.height) * scale)))
            let (sx, sy) = (Float(image.width) / Float(small.width), Float(image.height) / Float(small.height))
            return try faces(in: small).map { face in
                let c = face.corners  // [x1 - 1, x2] spans the region: scale its edges, not the 1-based corners
                var scaled = DetectedFace(
                    corners: SIMD4((c[0] - 1) * sx + 1, (c[1] - 1) * sy + 1, c[2] * sx, c[3] * sy),
                    score: face.score, points5: face.points5.map { $0 * Point(sx, sy) })
                scaled.box = BoundingBox(
                    x: face.box.x * sx, y: face.box.y * sy, width: face.box.width * sx, height: face.box.height * sy)
                return scaled
            }
        }
        let (w, h) = (image.width, image.height)
        let rgb = Self.rgb255(image)
        let pyramid = ImagePyramid(width: w, height: h, minimumFaceSize: minimumFaceSize, factor: factor)
        if pyramid.levels.isEmpty { return [] }

        // Stage 1: proposals per scale, NMS per scale, then across scales.
        let proposals = self.proposals(rgb, width: w, height: h, levels: pyramid.levels)
        var boxes = NonMaximumSuppression.select(
            boxes: Self.corners(proposals), scores: proposals.map(\.score),
            groups: Self.oneImage(proposals), iouThreshold: 0.7
        )
        .map { proposals[$0] }
        for k in boxes.indices {
            let b = boxes[k], r = b.regression
            let regw = b.x2 - b.x1, regh = b.y2 - b.y1
            boxes[k] = Self.squared(
                Candidate(
                    x1: b.x1 + r[0] * regw, y1: b.y1 + r[1] * regh,
                    x2: b.x2 + r[2] * regw, y2: b.y2 + r[3] * regh,
                    score: b.score, regression: .zero))
        }
        if boxes.isEmpty { return [] }

        // Stage 2: 24x24 crops.
        var refined: [Candidate] = []
        for (inputs, members) in crops(of: boxes, side: 24, rgb: rgb, width: w, height: h) {
            let out = stages.refine(inputs)
            let n = members.count
            Self.check(out.probabilities, [n, 2], "refine probabilities")
            Self.check(out.regression, [n, 4], "refine regression")
            let p = out.probabilities.scalars, r = out.regression.scalars
            for (row, k) in members.enumerated() where p[2 * row + 1] > thresholds[1] {
                let b = boxes[k]
                refined.append(
                    Candidate(
                        x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2, score: p[2 * row + 1],
                        regression: SIMD4(r[4 * row], r[4 * row + 1], r[4 * row + 2], r[4 * row + 3])))
            }
        }
        boxes = NonMaximumSuppression.select(
            boxes: Self.corners(refined), scores: refined.map(\.score),
            groups: Self.oneImage(refined), iouThreshold: 0.7
        )
        .map { Self.squared(Self.regressed(refined[$0])) }
        if boxes.isEmpty { return [] }

        // Stage 3: 48x48 crops, landmarks, 'Min' NMS.
        var finals: [Candidate] = []
        var points: [[Point]] = []
        for (inputs, members) in crops(of: boxes, side: 48, rgb: rgb, width: w, height: h) {
            let out = stages.output(inputs)
            let n = members.count
            Self.check(out.probabilities, [n, 2], "output probabilities")
            Self.check(out.regression, [n, 4], "output regression")
            Self.check(out.landmarks, [n, 10], "output landmarks")
            let p = out.probabilities.scalars, r = out.regression.scalars, l = out.landmarks.scalars
            for (row, k) in members.enumerated() where p[2 * row + 1] > thresholds[2] {
                let b = boxes[k]
                let wi = b.x2 - b.x1 + 1, hi = b.y2 - b.y1 + 1
                points.append(
                    (0..<5).map { j in
                        Point(wi * l[10 * row + j] + b.x1 - 1, hi * l[10 * row + 5 + j] + b.y1 - 1)
                    })
                finals.append(
                    Self.regressed(
                        Candidate(
                            x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2, score: p[2 * row + 1],
                            regression: SIMD4(r[4 * row], r[4 * row + 1], r[4 * row + 2], r[4 * row + 3]))))
            }
        }
        var order = NonMaximumSuppression.selectInclusive(
            boxes: Self.corners(finals), scores: finals.map(\.score),
            threshold: 0.7, overlap: .minimum)
        if selectLargest {
            // MTCNN.detect: np.argsort(area)[::-1], i.e. largest first, ties by later position first.
            let area = order.map { (finals[$0].x2 - finals[$0].x1) * (finals[$0].y2 - finals[$0].y1) }
            order = Array(order.indices).sorted { area[$0] != area[$1] ? area[$0] > area[$1] : $0 > $1 }.map {
                order[$0]
            }
        }
        return order.map { k in
            let b = finals[k]
            return DetectedFace(corners: SIMD4(b.x1, b.y1, b.x2, b.y2), score: b.score, points5: points[k])
        }
    }

    /// `generateBoundingBox`: every cell at or above the first threshold, row-major.
    func cellBoxes(_ out: (probabilities: Tensor, regression: Tensor), scale: Double) -> [Candidate] {
        let shape = out.probabilities.shape
        precondition(
            shape.count == 4 && shape[0] == 1 && shape[1] == 2,
            "MTCNN proposal stage: expected probabilities [1, 2, H', W'], got \(shape)")
        Self.check(out.regression, [1, 4, shape[2], shape[3]], "proposal regression")
        let (rows, cols) = (shape[2], shape[3]), plane = shape[2] * shape[3]
        let s = Float(scale), threshold = thresholds[0]
        var found: [Candidate] = []
        out.probabilities.withUnsafeBufferPointer { p in
            out.regression.withUnsafeBufferPointer { r in
                for y in 0..<rows {
                    for x in 0..<cols {
                        let i = y * cols + x
                        let score = p[plane + i]
                        guard score >= threshold else { continue }
                        let bx = Float(x), by = Float(y)
                        found.append(
                            Candidate(
                                x1: ((2 * bx + 1) / s).rounded(.down), y1: ((2 * by + 1) / s).rounded(.down),
                                x2: ((2 * bx + 12) / s).rounded(.down), y2: ((2 * by + 12) / s).rounded(.down),
                                score: score, regression: SIMD4(r[i], r[plane + i], r[2 * plane + i], r[3 * plane + i]))
                        )
                    }
                }
            }
        }
        return found
    }

    /// `pad` and the crops: each box truncated to integers, clipped to `1...width` and
    /// `1...height` (1-based, inclusive), cut from the image, area-resampled to `side` x `side`
    /// and normalized, in batches of ``batchSize``. Boxes with nothing inside the image are left
    /// out; `members` lists the boxes each batch holds.
    ///
    /// Shape: each batch `[n, 3, side, side]`.
    func crops(
        of boxes: [Candidate], side: Int, rgb: [Float], width: Int, height: Int
    ) -> [(inputs: Tensor, members: [Int])] {
        var regions: [(index: Int, x: Int, y: Int, width: Int, height: Int)] = []
        for (k, b) in boxes.enumerated() {
            guard let x0 = Self.truncated(b.x1), let y0 = Self.truncated(b.y1),
                let ex0 = Self.truncated(b.x2), let ey0 = Self.truncated(b.y2)
            else { continue }
            let x = max(x0, 1), y = max(y0, 1), ex = min(ex0, width), ey = min(ey0, height)
            guard ey > y - 1, ex > x - 1 else { continue }
            regions.append((k, x - 1, y - 1, ex - x + 1, ey - y + 1))
        }
        var batches: [(inputs: Tensor, members: [Int])] = []
        let plane = side * side
        for start in stride(from: 0, to: regions.count, by: Self.batchSize) {
            let batch = regions[start..<min(start + Self.batchSize, regions.count)]
            var inputs = Tensor(uninitializedShape: [batch.count, 3, side, side])
            rgb.withUnsafeBufferPointer { source in
                inputs.withUnsafeMutableBufferPointer { target in
                    for (n, region) in batch.enumerated() {
                        for c in 0..<3 {
                            AreaResampling.resample(
                                source, planeOffset: c * width * height, rowStride: width,
                                region: (x: region.x, y: region.y, width: region.width, height: region.height),
                                into: target, at: (3 * n + c) * plane, height: side, width: side)
                        }
                    }
                    Self.normalize(target)
                }
            }
            batches.append((inputs, batch.map(\.index)))
        }
        return batches
    }

    /// `boxes.trunc().int()`; nil for a coordinate no Int32 holds.
    static func truncated(_ value: Float) -> Int? {
        let t = value.rounded(.towardZero)
        guard t.isFinite, abs(t) < 2_147_483_648 else { return nil }
        return Int(t)
    }

    /// `rerec`: the square with the box's center and its longer side.
    static func squared(_ b: Candidate) -> Candidate {
        let h = b.y2 - b.y1, w = b.x2 - b.x1
        let l = max(w, h)
        var s = b
        s.x1 = b.x1 + w * 0.5 - l * 0.5
        s.y1 = b.y1 + h * 0.5 - l * 0.5
        s.x2 = s.x1 + l
        s.y2 = s.y1 + l
        return s
    }

    /// `bbreg`: the box moved by its regression, in units of its inclusive size.
    static func regressed(_ b: Candidate) -> Candidate {
        let w = b.x2 - b.x1 + 1, h = b.y2 - b.y1 + 1, r = b.regression
        var moved = b
        moved.x1 = b.x1 + r[0] * w
        moved.y1 = b.y1 + r[1] * h
        moved.x2 = b.x2 + r[2] * w
        moved.y2 = b.y2 + r[3] * h
        return moved
    }

    /// Every box in group 0, as `batched_nms` sees one image: it matters, since torchvision
    /// orders ties differently above 4000 coordinates (see ``NonMaximumSuppression``).
    static func oneImage(_ boxes: [Candidate]) -> [Int] { [Int](repeating: 0, count: boxes.count) }

    /// The boxes as flat `[x1, y1, x2, y2]` quadruples.
    static func corners(_ boxes: [Candidate]) -> [Float] {
        var flat = [Float]()
        flat.reserveCapacity(4 * boxes.count)
        for b in boxes {
            flat.append(b.x1)
            flat.append(b.y1)
            flat.append(b.x2)
            flat.append(b.y2)
        }
        return flat
    }

    /// facenet-pytorch's input normalization, in place.
    static func normalize(_ buffer: UnsafeMutableBufferPointer<Float>) {
        for i in buffer.indices { buffer[i] = (buffer[i] - 127.5) * 0.0078125 }
    }

    /// The image as three planes of 8-bit values (`0...255` as Float).
    ///
    /// Shape: `C x H x W` image -> `[3 * H * W]`.
    static func rgb255(_ image: Image) -> [Float] {
        let plane = image.width * image.height
        var rgb = [Float](repeating: 0, count: 3 * plane)
        let colorPlanes = image.channels >= 3 ? [0, 1, 2] : [0, 0, 0]
        image.pixels.withUnsafeBufferPointer { source in
            for (c, from) in colorPlanes.enumerated() {
                for i in 0..<plane {
                    rgb[c * plane + i] = min(max((source[from * plane + i] * 255).rounded(), 0), 255)
                }
            }
        }
        return rgb
    }

    static func check(_ tensor: Tensor, _ expected: [Int], _ what: String) {
        precondition(tensor.shape == expected, "MTCNN \(what): expected \(expected), got \(tensor.shape)")
    }
}
