import Foundation
import Tensor
import Vision

/// Everything that turns annotations into samples.
///
/// ```swift
/// var config = FaceDatasetConfiguration.ibug()          // 224x224 gray, box x1.4, cached
/// config.augmentation = .standard
/// config.onBadSample = .skip
/// ```
public struct FaceDatasetConfiguration: Sendable, Equatable {
    /// The model input's size, channels and pixel scaling.
    public var input: InputFormat
    /// Which part of the photo becomes the model input.
    public var crop: CropMode
    /// The indices of the scheme's points to use, in order (nil: all). IMM nose tip: `[52]`.
    public var points: [Int]?
    /// The scheme's mirror map; required when the augmentation may flip.
    public var mirrorMap: MirrorMap?
    /// The random changes drawn for every sample (``Augmentation/none`` for evaluation).
    public var augmentation: Augmentation
    /// Whether decoded images are kept in memory.
    public var cache: CachePolicy
    /// The value (`0...1`) read outside the photo.
    public var fill: Float
    /// What to do with a face whose annotation or image is bad.
    public var onBadSample: BadSamplePolicy

    /// A configuration; by default all points, no mirror map, no augmentation, a memory cache,
    /// fill 0, and failing on the first bad sample.
    public init(
        input: InputFormat, crop: CropMode, points: [Int]? = nil, mirrorMap: MirrorMap? = nil,
        augmentation: Augmentation = .none, cache: CachePolicy = .memory(), fill: Float = 0,
        onBadSample: BadSamplePolicy = .fail
    ) {
        self.input = input
        self.crop = crop
        self.points = points
        self.mirrorMap = mirrorMap
        self.augmentation = augmentation
        self.cache = cache
        self.fill = fill
        self.onBadSample = onBadSample
    }

    /// IMM nose tip (point 52) on the whole image, gray, 80x60 (640x480 / 8), pixels in -0.5...0.5.
    public static func immNoseTip(width: Int = 80, height: Int = 60) -> FaceDatasetConfiguration {
        FaceDatasetConfiguration(
            input: InputFormat(width: width, height: height), crop: .wholeImage,
            points: [52], mirrorMap: .imm58)
    }

    /// All 58 IMM points on the whole image, gray, 240x180, pixels in -0.5...0.5.
    public static func immFace(width: Int = 240, height: Int = 180) -> FaceDatasetConfiguration {
        FaceDatasetConfiguration(input: InputFormat(width: width, height: height), crop: .wholeImage, mirrorMap: .imm58)
    }

    /// 300-W / iBUG 68 points: a square crop of 1.4x the face box, gray, 224x224, pixels in -0.5...0.5.
    public static func ibug(size: Int = 224, enlargement: Float = 1.4) -> FaceDatasetConfiguration {
        FaceDatasetConfiguration(
            input: InputFormat(width: size, height: size), crop: .faceBox(enlargement: enlargement),
            mirrorMap: .ibug68)
    }
}
