import Foundation

/// Finds keypoints in photos with a trained model file: crops the photo as the model was
/// trained (the whole photo, or a square around a face box), runs the model, and maps the
/// prediction back to the photo's pixels.
///
/// ```swift
/// let detector = try KeypointDetector(contentsOf: URL(fileURLWithPath: "runs/landmarks/model.safetensors"))
/// let photo = try Image(contentsOf: URL(fileURLWithPath: "face.jpg"))
/// let points = try detector.detect(in: photo, box: BoundingBox(x: 120, y: 80, width: 200, height: 200))
/// ```
public final class KeypointDetector {
    public let model: Module
    public let spec: KeypointModelSpec
    /// Test-time mirroring: run the horizontally mirrored crop too and average the two estimates
    /// through the scheme's mirror map (twice the work). Turn it on with ``enableMirroring()``,
    /// which checks that the model can.
    public private(set) var mirroring = false

    /// Loads the model at `url`; with `task`, refuses a model trained for another part.
    public init(contentsOf url: URL, expecting task: KeypointModelSpec.Task? = nil, mirroring: Bool = false) throws {
        (model, spec, _) = try KeypointModelFile.load(url, expecting: task)
        if mirroring {
            do { try enableMirroring() } catch { throw KeypointModelError(file: url.path, "\(error)") }
        }
    }

    /// Wraps a model in memory (for example during training).
    public init(model: Module, spec: KeypointModelSpec) {
        self.model = model
        self.spec = spec
    }

    /// The region of `image` that becomes the model input: from `box` for face-box models
    /// (without one, the centered square of the photo's shorter side), the whole photo for
    /// whole-image models.
    public func inputRegion(imageWidth: Int, imageHeight: Int, box: BoundingBox?) throws -> BoundingBox {
        switch spec.crop {
        case .wholeImage:
            return spec.cropMode.region(faceBox: BoundingBox(x: 0, y: 0, width: 0, height: 0), imageWidth: imageWidth, imageHeight: imageHeight)
        case .faceBox:
            guard let box else {
                let side = Float(Swift.min(imageWidth, imageHeight))
                return BoundingBox(x: (Float(imageWidth) - side) / 2, y: (Float(imageHeight) - side) / 2, width: side, height: side)
            }
            guard box.width > 0, box.height > 0 else {
                throw KeypointDetectorError("the face box \(box) has no area; expected a positive width and height")
            }
            let overlapWidth = Swift.min(box.x + box.width, Float(imageWidth)) - Swift.max(box.x, 0)
            let overlapHeight = Swift.min(box.y + box.height, Float(imageHeight)) - Swift.max(box.y, 0)
            guard overlapWidth > 0, overlapHeight > 0 else {
                throw KeypointDetectorError("the face box \(box) lies outside the \(imageWidth)x\(imageHeight) image")
            }
            return spec.cropMode.region(faceBox: box, imageWidth: imageWidth, imageHeight: imageHeight)
        }
    }

    /// The keypoints in `image`'s pixel coordinates (pixel centers at +0.5), in the model's
    /// point order.
    public func detect(in image: Image, box: BoundingBox? = nil) throws -> [Point] {
        try estimate(in: image, box: box).points
    }

    /// The keypoints in `image`'s pixel coordinates, in the model's point order, with their
    /// confidences (PIPNet models). With ``mirroring``, the mean of this crop's estimate and
    /// the mirrored crop's.
    public func estimate(in image: Image, box: BoundingBox? = nil) throws -> KeypointEstimate {
        guard image.width > 0, image.height > 0 else { throw KeypointDetectorError("the image is empty") }
        let region = try inputRegion(imageWidth: image.width, imageHeight: image.height, box: box)
        let transform = spec.inputFormat.transform(cropping: region)
        let input = spec.inputFormat.input(from: image, transform: transform).unsqueezed(0)
        let outputs = KeypointOutputs(withoutGradients { model(input) }, spec: spec)
        let estimate: KeypointEstimate
        if mirroring {
            let mirror = try spec.outputMirrorMap()
            let mirrored = KeypointOutputs(withoutGradients { model(KeypointOutputs.mirroredInputs(input)) }, spec: spec)
            estimate = outputs.estimates(mergingMirrored: mirrored, mirror: mirror)[0]
        } else {
            estimate = outputs.estimates()[0]
        }
        return KeypointEstimate(points: transform.inverse.apply(estimate.points), confidences: estimate.confidences)
    }

    /// Turns on ``mirroring``; throws a ``KeypointDetectorError`` saying why when the model
    /// cannot mirror (its scheme has no mirror map, or it predicts a point without its partner).
    public func enableMirroring() throws {
        _ = try spec.outputMirrorMap()
        mirroring = true
    }
}

extension KeypointDetector {
    /// The keypoints of a face the MTCNN detector found in `image`. A model trained on detector
    /// boxes crops from `face.box` as it was trained. A model trained on annotated boxes (the
    /// study's) has never seen a detector box, so it runs twice: on the detector's box, then on
    /// the box around the points that first pass found, the kind of box it was trained on.
    public func points(in image: Image, face: DetectedFace) throws -> [Point] {
        try estimate(in: image, face: face).points
    }

    /// ``points(in:face:)`` with the points' confidences (PIPNet models).
    public func estimate(in image: Image, face: DetectedFace) throws -> KeypointEstimate {
        let first = try estimate(in: image, box: face.box)
        guard spec.faceBoxes == .truth, case .faceBox = spec.crop else { return first }
        let refined = BoundingBox(enclosing: first.points.filter(\.isPresent))
        guard refined.width > 0, refined.height > 0 else { return first }
        return try estimate(in: image, box: refined)
    }
}

/// A photo or box the detector cannot use.
public struct KeypointDetectorError: Error, CustomStringConvertible, LocalizedError, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    public var errorDescription: String? { message }
}
