import Foundation
import NN

/// A trained keypoint model: crops a photo as the model was trained (the whole photo, or a
/// square around a face box), runs the network, and maps its points back to the photo's pixels.
///
/// Immutable and `Sendable`: one model can serve many tasks at once (a server's handlers, a
/// task group over photos). Each call runs the network in evaluation mode without gradients,
/// which only reads its weights; do not train or change ``network`` while others use the model.
///
/// ```swift
/// let model = try KeypointModel(contentsOf: URL(fileURLWithPath: "runs/landmarks/model.safetensors"))
/// let photo = try Image(contentsOf: URL(fileURLWithPath: "face.jpg"))
/// let estimate = try model.estimate(in: photo, box: BoundingBox(x: 120, y: 80, width: 200, height: 200))
/// print(estimate.points, estimate.confidences ?? [])
/// ```
public final class KeypointModel: @unchecked Sendable {
    /// The network (in evaluation mode when loaded from a file).
    public let network: Module
    /// What the network was trained for: task, scheme, input format, crop, outputs.
    public let spec: KeypointModelSpec
    /// Test-time mirroring: each estimate also runs the horizontally mirrored crop and averages
    /// the two through the scheme's mirror map (twice the work). See ``mirrored()``.
    public let mirroring: Bool

    /// Loads the model at `url`; with `task`, refuses a model trained for another part; with
    /// `mirroring`, refuses a model that cannot mirror (``mirrored()``).
    public convenience init(
        contentsOf url: URL, expecting task: KeypointModelSpec.Task? = nil, mirroring: Bool = false
    ) throws {
        let (network, spec, _) = try KeypointModelFile.load(url, expecting: task)
        if mirroring {
            do { _ = try spec.outputMirrorMap() } catch { throw KeypointModelError(file: url.path, "\(error)") }
        }
        self.init(network: network, spec: spec, checkedMirroring: mirroring)
    }

    /// Wraps a network in memory (for example during training).
    public convenience init(network: Module, spec: KeypointModelSpec) {
        self.init(network: network, spec: spec, checkedMirroring: false)
    }

    private init(network: Module, spec: KeypointModelSpec, checkedMirroring: Bool) {
        self.network = network
        self.spec = spec
        self.mirroring = checkedMirroring
    }

    /// The same model with ``mirroring`` on (sharing the network); throws a
    /// ``KeypointInputError`` saying why when the model cannot mirror (its scheme has no mirror
    /// map, or it predicts a point without its partner).
    public func mirrored() throws -> KeypointModel {
        _ = try spec.outputMirrorMap()
        return KeypointModel(network: network, spec: spec, checkedMirroring: true)
    }

    /// The region of `image` that becomes the model input: from `box` for face-box models
    /// (without one, the centered square of the photo's shorter side), the whole photo for
    /// whole-image models.
    public func inputRegion(imageWidth: Int, imageHeight: Int, box: BoundingBox?) throws -> BoundingBox {
        switch spec.crop {
        case .wholeImage:
            return spec.crop.region(
                faceBox: BoundingBox(x: 0, y: 0, width: 0, height: 0), imageWidth: imageWidth, imageHeight: imageHeight)
        case .faceBox:
            guard let box else {
                let side = Float(Swift.min(imageWidth, imageHeight))
                return BoundingBox(
                    x: (Float(imageWidth) - side) / 2, y: (Float(imageHeight) - side) / 2, width: side, height: side)
            }
            guard box.width > 0, box.height > 0 else {
                throw KeypointInputError("the face box \(box) has no area; expected a positive width and height")
            }
            let overlapWidth = Swift.min(box.x + box.width, Float(imageWidth)) - Swift.max(box.x, 0)
            let overlapHeight = Swift.min(box.y + box.height, Float(imageHeight)) - Swift.max(box.y, 0)
            guard overlapWidth > 0, overlapHeight > 0 else {
                throw KeypointInputError("the face box \(box) lies outside the \(imageWidth)x\(imageHeight) image")
            }
            return spec.crop.region(faceBox: box, imageWidth: imageWidth, imageHeight: imageHeight)
        }
    }

    /// The keypoints in `image`'s pixel coordinates (pixel centers at +0.5), in the model's
    /// point order, with their confidences (PIPNet models), for the face in `box` (the kind of
    /// box the model was trained on; ignored by whole-image models). With ``mirroring``, the
    /// mean of this crop's estimate and the mirrored crop's.
    public func estimate(in image: Image, box: BoundingBox? = nil) throws -> KeypointEstimate {
        guard image.width > 0, image.height > 0 else { throw KeypointInputError("the image is empty") }
        let region = try inputRegion(imageWidth: image.width, imageHeight: image.height, box: box)
        let transform = spec.inputFormat.transform(cropping: region)
        let input = spec.inputFormat.input(from: image, transform: transform).unsqueezed(0)
        let head = spec.head
        let outputs = withoutGradients { head.outputs(of: network, for: input) }
        let estimate: KeypointEstimate
        if mirroring {
            let mirror = try spec.outputMirrorMap()
            let mirrored = withoutGradients { head.outputs(of: network, for: KeypointOutputs.mirroredInputs(input)) }
            estimate = head.estimates(outputs, mergingMirrored: mirrored, mirror: mirror)[0]
        } else {
            estimate = head.estimates(outputs)[0]
        }
        return KeypointEstimate(points: transform.inverse.apply(estimate.points), confidences: estimate.confidences)
    }

    /// The keypoints of a face the MTCNN detector found in `image`. A model trained on detector
    /// boxes crops from `face.box` as it was trained. A model trained on annotated boxes (the
    /// study's) has never seen a detector box, so it runs twice: on the detector's box, then on
    /// the box around the points that first pass found, the kind of box it was trained on.
    public func estimate(in image: Image, face: DetectedFace) throws -> KeypointEstimate {
        let first = try estimate(in: image, box: face.box)
        guard spec.faceBoxes == .truth, case .faceBox = spec.crop else { return first }
        let refined = BoundingBox(enclosing: first.points.filter(\.isPresent))
        guard refined.width > 0, refined.height > 0 else { return first }
        return try estimate(in: image, box: refined)
    }
}
