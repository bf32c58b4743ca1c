import Foundation
import Tensor
import Vision

/// Annotated faces turned into model inputs and normalized keypoint targets.
///
/// Each sample's image is produced by ONE warp of the photo (or of its cached crop) by the
/// transform original -> input, which is the crop/resize followed by the drawn augmentation;
/// the keypoints are moved by the same transform, and reordered by the mirror map when
/// mirrored. ``SampleInfo/transform`` keeps that transform so predictions map back to the
/// photo.
///
/// ```swift
/// let all = try FaceDataset.imglab(data.appendingPathComponent("300w_subset/labels.xml"), configuration: .ibug())
/// let (train, validation) = all.split(validationFraction: 0.1, seed: 42)
/// let training = train.with(augmentation: .standard)
/// let sample = try validation.sample(at: 0)       // input [1, 224, 224], target [136]
/// ```
public struct FaceDataset: KeypointDataset {
    /// The faces, in sample order.
    public let faces: [FaceAnnotation]
    /// How the faces become samples: input format, crop, points, augmentation and cache.
    public let configuration: FaceDatasetConfiguration
    /// Faces left out under ``BadSamplePolicy/skip``, with the reasons.
    public let skipped: [SkippedSample]
    /// Cached crops aligned with `faces` (nil without a cache).
    let cache: [CachedImage]?
    /// The mirror map restricted to the selected points.
    let selectedMirror: MirrorMap?

    /// Builds a dataset from annotations: checks the configuration, and decodes and caches
    /// the images when the cache policy says so (bad images fail or are skipped).
    public init(faces: [FaceAnnotation], configuration: FaceDatasetConfiguration, skipped: [SkippedSample] = []) throws
    {
        let schemeCount = faces.first?.keypoints.count ?? 0
        if let bad = faces.first(where: { $0.keypoints.count != schemeCount }) {
            throw FaceDataError(
                .wrongPointCount, file: bad.image.path,
                "expected \(schemeCount) keypoints like the other faces, got \(bad.keypoints.count)")
        }
        if let points = configuration.points, !faces.isEmpty {
            guard !points.isEmpty, points.allSatisfy({ (0..<schemeCount).contains($0) }) else {
                throw FaceDataError(
                    .invalidArgument, file: "<configuration>",
                    "expected point indices in 0..<\(schemeCount), got \(points)")
            }
        }
        var mirror: MirrorMap?
        if let map = configuration.mirrorMap, !faces.isEmpty {
            guard map.count == schemeCount else {
                throw FaceDataError(
                    .invalidArgument, file: "<configuration>",
                    "the mirror map has \(map.count) points, the faces \(schemeCount)")
            }
            mirror = configuration.points.map { map.restricted(to: $0) } ?? map
        }
        if configuration.augmentation.mayFlip && mirror == nil && !faces.isEmpty {
            throw FaceDataError(
                .invalidArgument, file: "<configuration>",
                "flipping needs a mirror map that covers the selected points \(configuration.points.map { "\($0)" } ?? "(all)")"
            )
        }
        var kept = faces
        var skippedAll = skipped
        var cache: [CachedImage]?
        if case .memory(let margin, let oversample) = configuration.cache {
            let results = Self.buildCache(faces, configuration: configuration, margin: margin, oversample: oversample)
            var entries: [CachedImage] = []
            kept = []
            for (face, result) in zip(faces, results) {
                switch result {
                case .success(let entry):
                    kept.append(face)
                    entries.append(entry)
                case .failure(let error):
                    guard configuration.onBadSample == .skip else { throw error }
                    skippedAll.append(SkippedSample(file: error.file, error: error))
                }
            }
            cache = entries
        }
        self.init(faces: kept, configuration: configuration, skipped: skippedAll, cache: cache, selectedMirror: mirror)
    }

    private init(
        faces: [FaceAnnotation], configuration: FaceDatasetConfiguration, skipped: [SkippedSample],
        cache: [CachedImage]?, selectedMirror: MirrorMap?
    ) {
        self.faces = faces
        self.configuration = configuration
        self.skipped = skipped
        self.cache = cache
        self.selectedMirror = selectedMirror
    }

    // MARK: Sources

    /// The IMM database in `folder` for a person split; with `limit`, only its first `limit`
    /// faces (the others are never decoded: a quick trial starts at once).
    public static func imm(
        folder: URL, split: IMMSplit = .all, configuration: FaceDatasetConfiguration = .immFace(),
        limit: Int? = nil
    ) throws -> FaceDataset {
        var skipped: [SkippedSample] = []
        let faces = try FaceAnnotations.imm(
            folder: folder, persons: split.persons, onBadSample: configuration.onBadSample, skipped: &skipped)
        try requireFaces(faces, skipped, source: folder.path)
        return try FaceDataset(
            faces: Array(faces.prefix(Swift.max(0, limit ?? faces.count))), configuration: configuration,
            skipped: skipped)
    }

    /// The faces of an imglab XML file in any point scheme: parts matched to `scheme`'s points
    /// by name; with `allowingMissing`, points a box leaves out are ``Point/absent`` and masked
    /// out of the loss (``Batch/mask``) and the metrics.
    public static func imglab(
        _ dataset: ImglabDataset, file url: URL, scheme: LandmarkScheme, allowingMissing: Bool = true,
        configuration: FaceDatasetConfiguration
    ) throws -> FaceDataset {
        var skipped: [SkippedSample] = []
        let faces = try FaceAnnotations.imglab(
            dataset, file: url, scheme: scheme, allowingMissing: allowingMissing,
            onBadSample: configuration.onBadSample, skipped: &skipped)
        try requireFaces(faces, skipped, source: url.path)
        return try FaceDataset(faces: faces, configuration: configuration, skipped: skipped)
    }

    /// The faces of a dlib imglab XML file (300-W `labels.xml`, dlib's `*_with_face_landmarks.xml`).
    public static func imglab(
        _ url: URL, pointCount: Int = 68, configuration: FaceDatasetConfiguration = .ibug()
    ) throws -> FaceDataset {
        var skipped: [SkippedSample] = []
        let faces = try FaceAnnotations.imglab(
            url, pointCount: pointCount, onBadSample: configuration.onBadSample, skipped: &skipped)
        try requireFaces(faces, skipped, source: url.path)
        return try FaceDataset(faces: faces, configuration: configuration, skipped: skipped)
    }

    /// The `.pts` files (and their images) under `folder`.
    public static func pts(
        folder: URL, pointCount: Int = 68, configuration: FaceDatasetConfiguration = .ibug()
    ) throws -> FaceDataset {
        var skipped: [SkippedSample] = []
        let faces = try FaceAnnotations.pts(
            folder: folder, pointCount: pointCount, onBadSample: configuration.onBadSample, skipped: &skipped)
        try requireFaces(faces, skipped, source: folder.path)
        return try FaceDataset(faces: faces, configuration: configuration, skipped: skipped)
    }

    private static func requireFaces(_ faces: [FaceAnnotation], _ skipped: [SkippedSample], source: String) throws {
        guard faces.isEmpty else { return }
        throw FaceDataError(
            .invalidArgument, file: source,
            skipped.isEmpty
                ? "expected annotated faces, found none"
                : "every face was bad (\(skipped.count) skipped; first: \(skipped[0]))")
    }

    // MARK: Derived datasets (sharing the cache)

    /// The faces at `indices`, in that order.
    public func subset(_ indices: [Int]) -> FaceDataset {
        FaceDataset(
            faces: indices.map { faces[$0] }, configuration: configuration, skipped: skipped,
            cache: cache.map { c in indices.map { c[$0] } }, selectedMirror: selectedMirror)
    }

    /// A seeded random split (``DataSplit/seeded(count:validationFraction:seed:)``).
    public func split(validationFraction: Double, seed: UInt64) -> (train: FaceDataset, validation: FaceDataset) {
        let (train, validation) = DataSplit.seeded(count: count, validationFraction: validationFraction, seed: seed)
        return (subset(train), subset(validation))
    }

    /// The same faces with another augmentation. Throws when it flips and no mirror map covers
    /// the selected points.
    public func with(augmentation: Augmentation) throws -> FaceDataset {
        if augmentation.mayFlip && selectedMirror == nil && !faces.isEmpty {
            throw FaceDataError(
                .invalidArgument, file: "<configuration>", "flipping needs a mirror map that covers the selected points"
            )
        }
        var config = configuration
        config.augmentation = augmentation
        return FaceDataset(
            faces: faces, configuration: config, skipped: skipped, cache: cache, selectedMirror: selectedMirror)
    }

    // MARK: Samples

    public var count: Int { faces.count }

    /// The number of keypoints per sample (the target has twice as many values).
    public var pointCount: Int { configuration.points?.count ?? faces.first?.keypoints.count ?? 0 }

    /// The selected keypoints of face `index`, in original pixels.
    public func keypoints(at index: Int) -> [Point] {
        let all = faces[index].keypoints
        return configuration.points.map { $0.map { all[$0] } } ?? all
    }

    /// The region of the photo that fills the input before augmentation.
    public func cropRegion(at index: Int) -> BoundingBox {
        Self.cropRegion(faces[index], configuration.crop)
    }

    /// Original pixels -> input pixels, without augmentation.
    public func baseTransform(at index: Int) -> Affine2D {
        configuration.input.transform(cropping: cropRegion(at: index))
    }

    /// Sample `index` drawn with `RandomGenerator(seed: UInt64(index))`; with augmentation
    /// ``Augmentation/none`` (validation) the generator is not used.
    public func sample(at index: Int) throws -> Sample {
        var generator = RandomGenerator(seed: UInt64(index))
        return try sample(at: index, using: &generator)
    }

    public func sample(at index: Int, using generator: inout RandomGenerator) throws -> Sample {
        precondition(faces.indices.contains(index), "FaceDataset.sample: index \(index) is out of range 0..<\(count)")
        let face = faces[index]
        let format = configuration.input
        let augmentation = configuration.augmentation
        let draw = augmentation.isNone ? AugmentationDraw() : augmentation.draw(using: &generator)
        let transform = baseTransform(at: index).then(draw.transform(width: format.width, height: format.height))

        let source: Image, fromOriginal: Affine2D
        if let cache {
            source = cache[index].image
            fromOriginal = cache[index].fromOriginal
        } else {
            source = try Self.decode(face).converted(toChannels: format.channels)
            fromOriginal = .identity
        }
        let input = format.input(
            from: source, transform: fromOriginal.inverse.then(transform), fill: configuration.fill
        ) { image in
            if augmentation.colorJitter != ColorJitter() {
                image = augmentation.colorJitter.apply(to: image, using: &generator)
            }
            image = augmentation.occlusion.apply(to: image, using: &generator)
        }
        var points = transform.apply(keypoints(at: index))
        var permutation: [Int]?
        if draw.flip, let mirror = selectedMirror {
            points = mirror.reorder(points)
            permutation = mirror.permutation
        }
        let normalization = TargetNormalization(width: format.width, height: format.height)
        let info = SampleInfo(
            index: index, identity: face.identity, transform: transform, normalization: normalization,
            flipped: draw.flip, permutation: permutation, keypoints: points)
        return Sample(input: input, target: Tensor(normalization.normalize(points)), info: info)
    }

    // MARK: Images and the cache

    static func cropRegion(_ face: FaceAnnotation, _ crop: CropMode) -> BoundingBox {
        crop.region(faceBox: face.box, imageWidth: face.imageWidth, imageHeight: face.imageHeight)
    }

    /// Decodes a face's photo (EXIF orientation is not applied: annotations refer to the
    /// stored pixels) and checks its size against the header.
    static func decode(_ face: FaceAnnotation) throws -> Image {
        let image: Image
        do {
            image = try Image(contentsOf: face.image, applyOrientation: false)
        } catch let error as ImageError {
            throw FaceDataError(
                .badImage, file: face.image.path,
                "expected a decodable image: \(error.reason.rawValue): \(error.detail)")
        }
        guard image.width == face.imageWidth, image.height == face.imageHeight else {
            throw FaceDataError(
                .badImage, file: face.image.path,
                "expected \(face.imageWidth)x\(face.imageHeight) as the header says, decoded \(image.width)x\(image.height)"
            )
        }
        return image
    }

    /// Decodes each photo once (in parallel) and cuts every face's cache region out of it.
    static func buildCache(
        _ faces: [FaceAnnotation], configuration: FaceDatasetConfiguration, margin: Float,
        oversample: Float
    ) -> [Result<CachedImage, FaceDataError>] {
        var groups: [URL: [Int]] = [:]
        var order: [URL] = []
        for (i, face) in faces.enumerated() {
            if groups[face.image] == nil { order.append(face.image) }
            groups[face.image, default: []].append(i)
        }
        let results = Locked([Result<CachedImage, FaceDataError>?](repeating: nil, count: faces.count))
        let work = order.map { groups[$0]! }
        DispatchQueue.concurrentPerform(iterations: work.count) { g in
            let members = work[g]
            var produced: [(Int, Result<CachedImage, FaceDataError>)] = []
            do {
                let photo = try decode(faces[members[0]]).converted(toChannels: configuration.input.channels)
                for i in members {
                    let region = cropRegion(faces[i], configuration.crop)
                    produced.append(
                        (
                            i,
                            .success(
                                CachedImage(
                                    photo: photo, region: region, margin: margin, oversample: oversample,
                                    input: configuration.input))
                        ))
                }
            } catch let error as FaceDataError {
                for i in members { produced.append((i, .failure(error))) }
            } catch {
                for i in members {
                    produced.append((i, .failure(FaceDataError(.badImage, file: faces[i].image.path, "\(error)"))))
                }
            }
            results.withLock { all in for (i, r) in produced { all[i] = r } }
        }
        return results.withLock { $0.map { $0! } }
    }
}
