import FaceDetection
import Foundation
import Vision

/// One photo's faces as `keypoints predict` writes them: `NAME_keypoints.json`, and one line of
/// `predictions.jsonl` per photo. Boxes are `[left, top, width, height]`, points `[x, y]`, in
/// the photo's pixels as displayed (EXIF orientation applied), pixel centers at +0.5.
public struct PhotoLandmarks: Codable, Sendable, Equatable {
    /// One face of the photo and its landmarks, as the JSON holds it.
    public struct Face: Codable, Sendable, Equatable {
        /// The face box the model cropped from, `[left, top, width, height]`.
        public var box: [Float]
        /// The detector's score (nil for a box given by the user).
        public var score: Float?
        /// MTCNN's five points: eyes, nose, mouth corners (nil for a box given by the user).
        public var points5: [[Float]]?
        /// The model's points, in its scheme's order.
        public var points: [[Float]]
        /// Each point's confidence, in the order of ``points`` (nil for regression models, which
        /// have none). See ``PhotoLandmarks/lowConfidence``.
        public var confidence: [Float]?
        /// The head's yaw, pitch and roll in degrees (``HeadPose``), for 68-point models; nil for
        /// other schemes.
        public var pose: HeadPose?

        /// A face from its box, the detector's score and five points (nil for a box given by the
        /// user), the model's points and their confidences, and the head's pose.
        public init(
            box: BoundingBox, score: Float?, points5: [Point]?, points: [Point], confidence: [Float]? = nil,
            pose: HeadPose? = nil
        ) {
            self.box = [box.x, box.y, box.width, box.height]
            self.score = score
            self.points5 = points5?.map { [$0.x, $0.y] }
            self.points = points.map { [$0.x, $0.y] }
            self.confidence = confidence
            self.pose = pose
        }

        /// A face and its landmarks.
        public init(_ landmarks: FaceLandmarks) {
            self.init(
                box: landmarks.box, score: landmarks.score, points5: landmarks.points5, points: landmarks.points,
                confidence: landmarks.confidences, pose: landmarks.pose)
        }

        enum CodingKeys: String, CodingKey { case box, score, points5, points, confidence, pose }

        /// Writes every key, `null` for a score, five points, confidences or a pose the face
        /// does not have.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(box, forKey: .box)
            try container.encode(score, forKey: .score)
            try container.encode(points5, forKey: .points5)
            try container.encode(points, forKey: .points)
            try container.encode(confidence, forKey: .confidence)
            try container.encode(pose, forKey: .pose)
        }

        /// ``box`` as a bounding box.
        public var boundingBox: BoundingBox { BoundingBox(x: box[0], y: box[1], width: box[2], height: box[3]) }
    }

    /// The photo's path, as given.
    public var image: String
    /// The photo's width in pixels, as displayed.
    public var width: Int
    /// The photo's height in pixels, as displayed.
    public var height: Int
    /// The model file, or `shipped` for the package's own.
    public var model: String
    /// The photo's faces, in the detector's order (largest first) or the order of the given boxes.
    public var faces: [Face]

    /// A photo's result from its parts.
    public init(image: String, width: Int, height: Int, model: String, faces: [Face]) {
        self.image = image
        self.width = width
        self.height = height
        self.model = model
        self.faces = faces
    }

    /// The faces a ``FaceLandmarker`` found in `photo`, named `image`, by the model named `model`.
    public init(image: String, photo: Image, model: String, faces: [FaceLandmarks]) {
        self.init(image: image, width: photo.width, height: photo.height, model: model, faces: faces.map(Face.init))
    }

    /// Below this confidence a point is drawn as a ring (``drawn(on:poseAxes:)``): PIPNet's peak score is
    /// trained towards 1 in the point's cell and 0 elsewhere, so below one half the model was not
    /// sure which cell holds the point.
    public static let lowConfidence: Float = 0.5

    /// `photo` in color with every face drawn: its box in yellow, the five detector points in
    /// cyan, the model's points as red dots, those with a confidence below ``lowConfidence``
    /// as magenta rings, sized to the photo. With `poseAxes`, each face with a ``Face/pose``
    /// also gets its head's axes from the nose tip (point 30), half the box long, as seen along
    /// the camera's axis: the face's left-to-right in red, top-to-bottom in green, and the
    /// direction it faces in blue.
    public func drawn(on photo: Image, poseAxes: Bool = false) -> Image {
        var drawing = photo.rgb()
        let radius = Swift.max(1.5, Float(Swift.max(photo.width, photo.height)) / 300)
        for face in faces {
            let box = face.boundingBox
            // A hundredth of the box, at most the photo's size: a box of any width (1e20) draws in bounded time.
            let boxThickness = Swift.min(Swift.max(1, box.width / 100), Float(Swift.max(photo.width, photo.height)))
            drawing.drawRectangle(box, color: .yellow, thickness: Int(boxThickness.rounded()))
            drawing.drawKeypoints((face.points5 ?? []).map { Point($0[0], $0[1]) }, color: .cyan, radius: radius)
            let points = face.points.map { Point($0[0], $0[1]) },
                pointRadius = Swift.max(1, Swift.min(radius, box.width / 80))
            let confidence = face.confidence ?? [Float](repeating: 1, count: points.count)
            drawing.drawKeypoints(
                zip(points, confidence).filter { $1 >= Self.lowConfidence }.map(\.0), color: .prediction,
                radius: pointRadius)
            for (point, _) in zip(points, confidence).filter({ $1 < Self.lowConfidence }) {
                drawing.drawCircle(
                    center: point, radius: 1.6 * pointRadius, color: .magenta, thickness: Swift.max(1, pointRadius / 2))
            }
            if poseAxes, let pose = face.pose, points.count == 68 {
                let rotation = pose.rotation, length = Double(box.width) / 2
                // The rotated model axes x (right), y (down) and -z (out of the face), projected
                // along the camera's axis.
                for (axis, color) in [(SIMD3<Double>(1, 0, 0), Color.red), ([0, 1, 0], .green), ([0, 0, -1], .blue)] {
                    let end = SIMD2((rotation[0] * axis).sum(), (rotation[1] * axis).sum()) * length
                    drawing.drawLine(
                        from: points[30], to: points[30] + Point(Float(end.x), Float(end.y)), color: color,
                        thickness: Swift.max(1, boxThickness))
                }
            }
        }
        return drawing
    }

    /// What `keypoints predict` appends to a photo's name for its drawing and its JSON.
    public static let drawingSuffix = "_keypoints.png", jsonSuffix = "_keypoints.json"

    /// Pretty-printed JSON with sorted keys (the per-photo file).
    public func json() throws -> Data { try encoded(formatting: [.prettyPrinted]) }

    /// One line of JSON with sorted keys (a line of `predictions.jsonl`), without the newline.
    public func jsonLine() throws -> Data { try encoded(formatting: []) }

    private func encoded(formatting: JSONEncoder.OutputFormatting) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting.union([.sortedKeys, .withoutEscapingSlashes])
        do {
            return try encoder.encode(self)
        } catch is EncodingError {
            throw KeypointModelError(
                file: model,
                "the model's outputs for \(image) are not finite (NaN or infinite); the model file may be damaged or untrained"
            )
        }
    }
}
