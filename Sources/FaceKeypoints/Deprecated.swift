import FaceDetection
import NN
import Vision

// Names of the previous release, kept for one release so that code written against it still
// builds (with a warning that names the replacement).

@available(*, deprecated, renamed: "KeypointModel")
public typealias KeypointDetector = KeypointModel

@available(*, deprecated, renamed: "KeypointInputError")
public typealias KeypointDetectorError = KeypointInputError

extension KeypointModel {
    @available(*, deprecated, renamed: "network")
    public var model: Module { network }

    @available(*, deprecated, renamed: "init(network:spec:)")
    public convenience init(model: Module, spec: KeypointModelSpec) {
        self.init(network: model, spec: spec)
    }

    @available(*, deprecated, message: "use estimate(in:box:).points")
    public func detect(in image: Image, box: BoundingBox? = nil) throws -> [Point] {
        try estimate(in: image, box: box).points
    }

    @available(*, deprecated, message: "use estimate(in:face:).points")
    public func points(in image: Image, face: DetectedFace) throws -> [Point] {
        try estimate(in: image, face: face).points
    }

    @available(*, unavailable, message: "a KeypointModel is immutable (safe to share); mirrored() returns the model with mirroring on")
    public func enableMirroring() throws {
        throw KeypointInputError("enableMirroring() is gone; use mirrored()")
    }
}

extension FaceLandmarks {
    @available(*, deprecated, message: "read box, score and points5 directly")
    public var face: DetectedFace {
        DetectedFace(corners: SIMD4(box.x + 1, box.y + 1, box.x + box.width, box.y + box.height), score: score ?? .nan, points5: points5 ?? [])
    }

    @available(*, deprecated, renamed: "init(detection:estimate:)")
    public init(face: DetectedFace, points: [Point], confidences: [Float]? = nil) {
        self.init(detection: face, estimate: KeypointEstimate(points: points, confidences: confidences))
    }
}
