import FaceDetection
import NN
import Vision

// Names of the previous release, kept for one release so that code written against it still
// builds (with a warning that names the replacement).

/// Renamed ``KeypointModel``; kept for one release.
@available(*, deprecated, renamed: "KeypointModel")
public typealias KeypointDetector = KeypointModel

/// Renamed ``KeypointInputError``; kept for one release.
@available(*, deprecated, renamed: "KeypointInputError")
public typealias KeypointDetectorError = KeypointInputError

extension KeypointModel {
    /// Renamed ``KeypointModel/network``; kept for one release.
    @available(*, deprecated, renamed: "network")
    public var model: Module { network }

    /// Renamed ``KeypointModel/init(network:spec:)``; kept for one release.
    @available(*, deprecated, renamed: "init(network:spec:)")
    public convenience init(model: Module, spec: KeypointModelSpec) {
        self.init(network: model, spec: spec)
    }

    /// The points of ``KeypointModel/estimate(in:box:)``, without confidences; kept for one release.
    @available(*, deprecated, message: "use estimate(in:box:).points")
    public func detect(in image: Image, box: BoundingBox? = nil) throws -> [Point] {
        try estimate(in: image, box: box).points
    }

    /// The points of ``KeypointModel/estimate(in:face:)``, without confidences; kept for one release.
    @available(*, deprecated, message: "use estimate(in:face:).points")
    public func points(in image: Image, face: DetectedFace) throws -> [Point] {
        try estimate(in: image, face: face).points
    }

    /// Removed: a model is immutable, and ``KeypointModel/mirrored()`` returns it with mirroring
    /// on. Always throws.
    @available(
        *, unavailable,
        message: "a KeypointModel is immutable (safe to share); mirrored() returns the model with mirroring on"
    )
    public func enableMirroring() throws {
        throw KeypointInputError("enableMirroring() is gone; use mirrored()")
    }
}

extension FaceLandmarks {
    /// ``FaceLandmarks/box``, ``FaceLandmarks/score`` and ``FaceLandmarks/points5`` as
    /// FaceDetection's `DetectedFace`; kept for one release.
    @available(*, deprecated, message: "read box, score and points5 directly")
    public var face: DetectedFace {
        DetectedFace(
            corners: SIMD4(box.x + 1, box.y + 1, box.x + box.width, box.y + box.height), score: score ?? .nan,
            points5: points5 ?? [])
    }

    /// Renamed ``FaceLandmarks/init(detection:estimate:)``; kept for one release.
    @available(*, deprecated, renamed: "init(detection:estimate:)")
    public init(face: DetectedFace, points: [Point], confidences: [Float]? = nil) {
        self.init(detection: face, estimate: KeypointEstimate(points: points, confidences: confidences))
    }
}
