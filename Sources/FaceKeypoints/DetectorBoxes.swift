import FaceData
import FaceDetection
import Foundation
import Vision

/// The detector's boxes for annotated faces, so that a landmark model trains on the crops it
/// will see at prediction time (as dlib trains its shape predictor on its detector's boxes).
///
/// Every annotated box of an imglab file is paired with an MTCNN detection (greedy by IoU with
/// the tight box around the face's points, IoU >= 0.5, the rule of `keypoints-bench detect`);
/// its box becomes the detection's, rounded to imglab's integer pixels, and its parts are
/// kept. A face the detector misses gets a fallback: the tight box around its points, moved
/// and scaled by the median relation between the two kinds of box over the matched faces of
/// the same file, and labelled `fallback`. The result is an imglab file whose `<name>` marks
/// it as detector boxes (``isDetectorBoxes(_:)``).
///
/// ```swift
/// let boxes = try DetectorBoxes.cachedFile(for: URL(fileURLWithPath: "../shared/data/300w_subset/labels.xml"),
///                                          at: URL(fileURLWithPath: "runs/landmarks/detector_boxes.xml"))
/// ```
public enum DetectorBoxes {
    /// The `<name>` of every file this type writes.
    public static let datasetName = "FaceKeypoints detector boxes"
    /// The label of a box the detector did not find.
    public static let fallbackLabel = "fallback"

    /// Where a detector box sits relative to the tight box around the face's points, in units
    /// of that box's longer side: center shift and size.
    public struct Relation: Sendable, Equatable, CustomStringConvertible {
        /// The detector box's center minus the points' box's center, in units of the points' box's
        /// longer side.
        public var centerShift: Point
        /// The detector box's width and height, in units of the points' box's longer side.
        public var size: SIMD2<Float>

        /// MTCNN's median box for a face whose 68 iBUG points span a box of side 1: measured on
        /// the 1184 faces of the 300-W subset it finds (`keypoints landmarks --boxes detector`
        /// prints it). What `keypoints evaluate --boxes truth` gives a detector-box model: the
        /// box a detector would give if it erred by nothing but its typical offset.
        public static let mtcnnIbug68 = Relation(centerShift: Point(-0.014, -0.162), size: SIMD2(0.955, 1.242))

        /// A relation of the given center shift and size (both in units of the points' box's longer
        /// side).
        public init(centerShift: Point, size: SIMD2<Float>) {
            self.centerShift = centerShift
            self.size = size
        }

        /// The detector-like box for a face whose points span `truth`.
        public func box(around truth: BoundingBox) -> BoundingBox {
            let side = Swift.max(truth.width, truth.height), center = truth.center + centerShift * side
            return BoundingBox(
                x: center.x - size.x * side / 2, y: center.y - size.y * side / 2, width: size.x * side,
                height: size.y * side)
        }

        /// The shift and size to three decimals: `center -0.014, -0.162 sides, size 0.955 x 1.242 sides`.
        public var description: String {
            String(
                format: "center %+.3f, %+.3f sides, size %.3f x %.3f sides", centerShift.x, centerShift.y, size.x,
                size.y)
        }
    }

    /// What ``replacingBoxes(of:file:detector:progress:)`` did.
    public struct Summary: Sendable, CustomStringConvertible {
        /// Annotated faces (boxes with points, not `ignore`): the detected ones and the fallbacks.
        public var faces: Int
        /// Faces paired with a detection.
        public var detected: Int
        /// The median relation over the detected faces (used for the fallbacks).
        public var relation: Relation
        /// One line: the faces detected, the fallback boxes and the median relation.
        public var description: String {
            "\(detected) of \(faces) faces detected (\(faces - detected) fallback boxes); detector box vs points' box: \(relation)"
        }
    }

    /// Throws unless the boxes of `annotations` (read from `file`) are the kind a model that
    /// crops from `modelBoxes` needs: detector boxes (a file this type wrote) for `.detector`,
    /// the annotation's own boxes for `.truth`. The message says which file to give instead.
    public static func requireBoxes(
        of annotations: ImglabDataset, file: URL, for modelBoxes: KeypointModelSpec.FaceBoxes
    ) throws {
        switch (isDetectorBoxes(annotations), modelBoxes) {
        case (true, .truth):
            throw KeypointInputError(
                "\(file.path) holds detector boxes, but the model crops from the annotated boxes; give the annotations "
                    + "(or, to train on detector boxes, --boxes detector)")
        case (false, .detector):
            throw KeypointInputError(
                "\(file.path) holds annotated boxes, but the model crops from detector boxes; give the run's detector_boxes.xml "
                    + "(DetectorBoxes.cachedFile, or keypoints detect --xml FILE --xml-out BOXES)")
        default:
            break
        }
    }

    /// Whether `dataset` was written by this type.
    public static func isDetectorBoxes(_ dataset: ImglabDataset) -> Bool { dataset.name == datasetName }

    /// `dataset` (read from `file`; image paths relative to its folder) with every annotated
    /// box replaced by the detector's box; image paths become absolute. `progress` gets the
    /// number of photos done and their total. Throws when an image cannot be read or when the
    /// detector finds none of the faces (no relation to fall back on).
    public static func replacingBoxes(
        of dataset: ImglabDataset, file: URL, detector: MTCNN,
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> (ImglabDataset, Summary) {
        let folder = file.deletingLastPathComponent()
        var result = dataset
        var missed: [(image: Int, box: Int, truth: BoundingBox)] = []
        var shifts: [Point] = [], sizes: [SIMD2<Float>] = []
        for (i, image) in dataset.images.enumerated() {
            let url = image.url(relativeTo: folder)
            result.images[i].file = url.standardizedFileURL.path
            let annotated = image.boxes.indices.filter { !image.boxes[$0].ignore && !image.boxes[$0].parts.isEmpty }
            defer { progress(i + 1, dataset.images.count) }
            guard !annotated.isEmpty else { continue }
            let photo: Image
            do {
                photo = try Image(contentsOf: url, applyOrientation: false)
            } catch {
                throw FaceDataError(
                    .unreadable, file: file.path, line: image.line, element: "<image file='\(image.file)'>", "\(error)")
            }
            let detections = try detector.faces(in: photo).map(\.box)
            let truths = annotated.map { BoundingBox(enclosing: image.boxes[$0].parts.map(\.point)) }
            let match = FaceMatching.greedy(detections: detections, annotations: truths)
            for (n, index) in annotated.enumerated() {
                guard let d = match[n] else {
                    missed.append((i, index, truths[n]))
                    continue
                }
                let truth = truths[n], side = Swift.max(truth.width, truth.height), found = detections[d]
                shifts.append((found.center - truth.center) / side)
                sizes.append(SIMD2(found.width, found.height) / side)
                result.images[i].boxes[index] = ImglabBox(
                    rounding: found, label: image.boxes[index].label, parts: image.boxes[index].parts)
            }
        }
        let faces = shifts.count + missed.count
        guard !shifts.isEmpty else {
            throw FaceDataError(
                .invalidArgument, file: file.path,
                "the detector found none of the \(faces) annotated faces; check the images, or train with the annotated boxes"
            )
        }
        func median(_ values: [Float]) -> Float {
            let sorted = values.sorted()
            return sorted[sorted.count / 2]
        }
        let relation = Relation(
            centerShift: Point(median(shifts.map(\.x)), median(shifts.map(\.y))),
            size: SIMD2(median(sizes.map(\.x)), median(sizes.map(\.y))))
        for miss in missed {
            let old = result.images[miss.image].boxes[miss.box]
            result.images[miss.image].boxes[miss.box] = ImglabBox(
                rounding: relation.box(around: miss.truth), label: fallbackLabel, parts: old.parts)
        }
        let summary = Summary(faces: faces, detected: shifts.count, relation: relation)
        result.name = datasetName
        result.comment =
            "MTCNN boxes (minimum face \(detector.minimumFaceSize) px) for the faces of \(file.path): \(summary); "
            + "a missed face's box is its points' box moved by that relation, labelled '\(fallbackLabel)'"
        return (result, summary)
    }

    /// The detector-box file for the imglab file `source`, cached at `cache`: read from there
    /// when it exists and was computed from `source` as it is now (its comment ends with the
    /// source's ``sourceStamp(of:)``), else computed with the shipped MTCNN and written, over a
    /// stale cache of another or an edited file. Returns the summary when it computed.
    @discardableResult
    public static func cachedFile(
        for source: URL, at cache: URL, progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> Summary? {
        let stamp = try sourceStamp(of: source)
        if FileManager.default.fileExists(atPath: cache.path) {
            let cached = try ImglabDataset(contentsOf: cache)
            guard isDetectorBoxes(cached) else {
                throw FaceDataError(
                    .invalidArgument, file: cache.path,
                    "expected detector boxes written by FaceKeypoints (<name>\(datasetName)</name>); remove the file to compute them again"
                )
            }
            if cached.comment?.hasSuffix(stamp) == true { return nil }
        }
        var (boxes, summary) = try replacingBoxes(
            of: try ImglabDataset(contentsOf: source), file: source, detector: try MTCNN.pretrained(),
            progress: progress)
        boxes.comment = (boxes.comment ?? "") + "; " + stamp
        try FileManager.default.createDirectory(
            at: cache.deletingLastPathComponent(), withIntermediateDirectories: true)
        try boxes.write(to: cache)
        return summary
    }

    /// What identifies the imglab file a cache was computed from: its absolute path and a
    /// 64-bit FNV-1a hash of its bytes (`source /data/labels.xml fnv1a 0123456789abcdef`).
    public static func sourceStamp(of source: URL) throws -> String {
        let bytes = try RegularFile.contents(of: source) {
            FaceDataError(.unreadable, file: source.path, "cannot read the imglab file (\($0))")
        }
        return "source \(source.standardizedFileURL.path) fnv1a \(DatasetFingerprint.hash(of: bytes))"
    }
}
