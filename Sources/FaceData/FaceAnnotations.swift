import Foundation
import Vision

/// Readers that turn the supported folders and files into ``FaceAnnotation`` lists.
///
/// ```swift
/// var skipped: [SkippedSample] = []
/// let faces = try FaceAnnotations.imm(folder: immURL, persons: DataSplit.immTrainPersons,
///                                     onBadSample: .skip, skipped: &skipped)
/// ```
public enum FaceAnnotations {
    /// Keypoints may lie outside the image by at most this fraction of the face box's longer
    /// side (annotators place occluded points just past the border).
    public static let outsideTolerance: Float = 0.1

    /// The IMM database: every `PP-Vg.asf` in `folder` (sorted by name) whose person is in
    /// `persons`, with its `.jpg`. The box is the tight box around the 58 points.
    public static func imm(
        folder: URL, persons: ClosedRange<Int> = 1...40, views: ClosedRange<Int> = 1...6,
        onBadSample: BadSamplePolicy = .fail, skipped: inout [SkippedSample]
    ) throws -> [FaceAnnotation] {
        let names = try listFolder(folder).filter { $0.hasSuffix(".asf") }
        var faces: [FaceAnnotation] = []
        for name in names {
            guard let person = DataSplit.immPerson(of: name), persons.contains(person),
                let view = DataSplit.immView(of: name), views.contains(view)
            else { continue }
            let url = folder.appendingPathComponent(name)
            try handle(onBadSample, &skipped, file: url.path) {
                let shape = try ASFShape(contentsOf: url, expectedPointCount: 58)
                let imageName = shape.hostImage ?? (name.dropLast(4) + ".jpg")
                let imageURL = folder.appendingPathComponent(imageName)
                let size = try ImageHeader.size(of: imageURL)
                let points = shape.keypoints(imageWidth: size.width, imageHeight: size.height)
                let face = FaceAnnotation(
                    image: imageURL, keypoints: points, box: BoundingBox(enclosing: points),
                    identity: imageName, imageWidth: size.width, imageHeight: size.height)
                try validate(face, annotation: url.path)
                faces.append(face)
            }
        }
        return faces
    }

    /// Every `.pts` file under `folder` (recursively, sorted by relative path) with the image
    /// of the same name (`.jpg`, `.jpeg` or `.png`). The box is the tight box around the points.
    public static func pts(
        folder: URL, pointCount: Int = 68, onBadSample: BadSamplePolicy = .fail,
        skipped: inout [SkippedSample]
    ) throws -> [FaceAnnotation] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder.path) else {
            throw FaceDataError(.unreadable, file: folder.path, "cannot list the folder")
        }
        let relativePaths = enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".pts") }.sorted()
        if relativePaths.isEmpty && !FileManager.default.fileExists(atPath: folder.path) {
            throw FaceDataError(.unreadable, file: folder.path, "no such folder")
        }
        var faces: [FaceAnnotation] = []
        for relative in relativePaths {
            let url = folder.appendingPathComponent(relative)
            try handle(onBadSample, &skipped, file: url.path) {
                let points = try PTSFile.read(url, expectedPointCount: pointCount)
                let stem = url.deletingPathExtension()
                guard
                    let imageURL = ["jpg", "jpeg", "png", "JPG", "PNG"].lazy.map({ stem.appendingPathExtension($0) })
                        .first(where: { FileManager.default.fileExists(atPath: $0.path) })
                else {
                    throw FaceDataError(
                        .unreadable, file: url.path,
                        "expected an image \(stem.lastPathComponent).jpg or .png beside the annotation")
                }
                let size = try ImageHeader.size(of: imageURL)
                let identity = String(relative.dropLast(4)) + "." + imageURL.pathExtension
                let face = FaceAnnotation(
                    image: imageURL, keypoints: points, box: BoundingBox(enclosing: points),
                    identity: identity, imageWidth: size.width, imageHeight: size.height)
                try validate(face, annotation: url.path)
                faces.append(face)
            }
        }
        return faces
    }

    /// Every box of an imglab XML file that is not marked `ignore`, with its `pointCount` parts
    /// (image paths are relative to the XML file's folder). A box without parts, with the
    /// wrong parts, or outside its image is a bad sample.
    public static func imglab(
        _ url: URL, pointCount: Int = 68, onBadSample: BadSamplePolicy = .fail,
        skipped: inout [SkippedSample]
    ) throws -> [FaceAnnotation] {
        try imglab(ImglabDataset(contentsOf: url), file: url, onBadSample: onBadSample, skipped: &skipped) {
            box, element in
            guard let points = try box.keypoints(count: pointCount, file: url.path, element: element) else {
                throw FaceDataError(
                    .wrongPointCount, file: url.path, line: box.line, element: element,
                    "expected \(pointCount) parts, the box has none")
            }
            return points
        }
    }

    /// Every box of an imglab XML file (already read from `url`) that is not marked `ignore`,
    /// its parts matched to `scheme`'s points by name; with `allowingMissing`, a box may leave
    /// points out (they become ``Point/absent``, masked out of training and metrics), and a
    /// box without any part (a face marked for detection only) is left out.
    public static func imglab(
        _ dataset: ImglabDataset, file url: URL, scheme: LandmarkScheme, allowingMissing: Bool,
        onBadSample: BadSamplePolicy = .fail, skipped: inout [SkippedSample]
    ) throws -> [FaceAnnotation] {
        var dataset = dataset
        if allowingMissing {
            for i in dataset.images.indices { dataset.images[i].boxes.removeAll { $0.parts.isEmpty } }
        }
        return try imglab(
            dataset, file: url, onBadSample: onBadSample, skipped: &skipped, allowingAbsent: allowingMissing
        ) { box, element in
            guard
                let points = try box.keypoints(
                    scheme: scheme, allowingMissing: allowingMissing, file: url.path, element: element)
            else {
                throw FaceDataError(
                    .wrongPointCount, file: url.path, line: box.line, element: element,
                    "expected parts of \(scheme.name), the box has none")
            }
            return points
        }
    }

    private static func imglab(
        _ dataset: ImglabDataset, file url: URL, onBadSample: BadSamplePolicy, skipped: inout [SkippedSample],
        allowingAbsent: Bool = false, points extract: (ImglabBox, String) throws -> [Point]
    ) throws -> [FaceAnnotation] {
        let folder = url.deletingLastPathComponent()
        var faces: [FaceAnnotation] = []
        for image in dataset.images {
            let imageURL = image.url(relativeTo: folder)
            var size: (width: Int, height: Int)?
            let boxes = image.boxes.filter { !$0.ignore }
            for (n, box) in boxes.enumerated() {
                let element = "<image file='\(image.file)'> box \(n + 1)"
                try handle(onBadSample, &skipped, file: url.path) {
                    if size == nil { size = try ImageHeader.size(of: imageURL) }
                    let points = try extract(box, element)
                    if let w = image.width, let h = image.height, w != size!.width || h != size!.height {
                        throw FaceDataError(
                            .malformed, file: url.path, line: image.line, element: element,
                            "the XML says \(w)x\(h), the image file is \(size!.width)x\(size!.height)")
                    }
                    let face = FaceAnnotation(
                        image: imageURL, keypoints: points, box: box.boundingBox,
                        identity: boxes.count > 1 ? "\(image.file)#\(n + 1)" : image.file,
                        imageWidth: size!.width, imageHeight: size!.height)
                    try validate(
                        face, annotation: url.path, line: box.line, element: element, allowingAbsent: allowingAbsent)
                    faces.append(face)
                }
            }
        }
        return faces
    }

    /// Checks that the box lies at least half inside the image and the points inside it (up
    /// to ``outsideTolerance``); with `allowingAbsent`, ``Point/absent`` points are skipped, but
    /// at least one must be present.
    public static func validate(
        _ face: FaceAnnotation, annotation: String, line: Int? = nil, element: String? = nil,
        allowingAbsent: Bool = false
    ) throws {
        let (w, h) = (face.imageWidth, face.imageHeight)
        guard face.box.width > 0, face.box.height > 0, face.box.fractionInside(imageWidth: w, imageHeight: h) >= 0.5
        else {
            throw FaceDataError(
                .outOfBounds, file: annotation, line: line, element: element,
                "expected the face box \(face.box) to lie at least half inside the \(w)x\(h) image \(face.image.lastPathComponent)"
            )
        }
        let margin = outsideTolerance * max(face.box.width, face.box.height)
        if allowingAbsent && !face.keypoints.contains(where: \.isPresent) {
            throw FaceDataError(
                .wrongPointCount, file: annotation, line: line, element: element,
                "expected at least one point, all are missing")
        }
        for (i, p) in face.keypoints.enumerated() where !(allowingAbsent && p.x.isNaN && p.y.isNaN) {
            guard p.x.isFinite, p.y.isFinite, p.x >= -margin, p.y >= -margin, p.x <= Float(w) + margin,
                p.y <= Float(h) + margin
            else {
                throw FaceDataError(
                    .outOfBounds, file: annotation, line: line, element: element,
                    "expected point \(i) inside the \(w)x\(h) image \(face.image.lastPathComponent), got (\(p.x), \(p.y))"
                )
            }
        }
    }

    static func listFolder(_ folder: URL) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        } catch {
            throw FaceDataError(
                .unreadable, file: folder.path,
                "cannot list the folder (\(FileManager.default.fileExists(atPath: folder.path) ? "unreadable" : "no such folder"))"
            )
        }
    }

    /// Runs `body`; under `.skip` a ``FaceDataError`` (or a Vision ``ImageError``) is recorded
    /// instead of thrown.
    static func handle(
        _ policy: BadSamplePolicy, _ skipped: inout [SkippedSample], file: String, _ body: () throws -> Void
    ) throws {
        do {
            try body()
        } catch let error as FaceDataError {
            guard policy == .skip else { throw error }
            skipped.append(SkippedSample(file: error.file, error: error))
        } catch let error as ImageError {
            let wrapped = FaceDataError(.badImage, file: error.source, "\(error.reason.rawValue): \(error.detail)")
            guard policy == .skip else { throw wrapped }
            skipped.append(SkippedSample(file: error.source, error: wrapped))
        }
    }
}
