import Foundation

/// Where a face's five reference points go in an aligned crop: a `width x height` image and,
/// in its pixels, the two eye centers, the nose tip and the two mouth corners, in image order
/// (the eye and mouth corner on the image's left first, as MTCNN's five points).
///
/// ```swift
/// let template = AlignmentTemplate.arcface                    // 112x112, insightface's points
/// let chip = try AlignmentTemplate.dlibChip(size: 150, padding: 0.25)
/// let mine = try AlignmentTemplate(contentsOf: URL(fileURLWithPath: "template.json"))
/// ```
///
/// A template file is JSON: `{"width": 112, "height": 112, "points": [[x, y], ... five]}`.
public struct AlignmentTemplate: Sendable, Equatable, Codable {
    /// The crop's width in pixels.
    public var width: Int
    /// The crop's height in pixels.
    public var height: Int
    /// The five reference points in the crop's pixels: left eye, right eye, nose tip, left and
    /// right mouth corner (image left and right).
    public var points: [Point]

    /// The largest side a crop may have, in pixels.
    public static let maximumSide = 4096

    /// A template from its size and five points; throws ``AlignmentError/invalidTemplate(_:)``
    /// naming the field when the size is not 1...``maximumSide``, there are not five finite
    /// points, or the points coincide.
    public init(width: Int, height: Int, points: [Point]) throws {
        self.width = width
        self.height = height
        self.points = points
        if let problem { throw AlignmentError.invalidTemplate(problem) }
    }

    /// ArcFace's template (insightface, MIT licence): the five points face recognition models
    /// such as ArcFace are trained on, in a 112x112 crop.
    public static let arcface = try! AlignmentTemplate(
        width: 112, height: 112,
        points: [
            Point(38.2946, 51.6963), Point(73.5318, 51.5014), Point(56.0252, 71.7366), Point(41.5493, 92.3655),
            Point(70.7299, 92.2041)
        ])

    /// The five points of dlib's mean face (`get_face_chip_details` in dlib's
    /// `image_transforms/interpolation.h`, Boost Software Licence), as fractions of the face
    /// square without padding: the means of its points 36-41 and 42-47 (the eyes), its point 30
    /// (the nose tip) and its points 48 and 54 (the mouth corners).
    static let dlibMeanFace: [Point] = [
        Point(0.225_492, 0.215_990), Point(0.754_761, 0.215_990), Point(0.490_127, 0.515_625),
        Point(0.254_149, 0.780_233), Point(0.726_104, 0.780_233)
    ]

    /// A dlib-style face chip: `size x size`, dlib's mean face with `padding` (a fraction of the
    /// face's size) on every side, as `dlib.get_face_chip(image, shape, size, padding)` crops
    /// (dlib's face recognition example uses 150 and 0.25).
    public static func dlibChip(size: Int = 150, padding: Float = 0.25) throws -> AlignmentTemplate {
        guard padding.isFinite, padding >= 0, padding <= 10 else {
            throw AlignmentError.invalidTemplate("padding: expected 0...10, got \(padding)")
        }
        let side = Float(size)
        return try AlignmentTemplate(
            width: size, height: size,
            points: dlibMeanFace.map { ($0 + Point(repeating: padding)) / (2 * padding + 1) * side })
    }

    /// The template scaled so its width is `width` pixels (its height and points in proportion),
    /// as insightface scales its 112-pixel template to other sizes.
    public func resized(toWidth newWidth: Int) throws -> AlignmentTemplate {
        let factor = Float(newWidth) / Float(width)
        return try AlignmentTemplate(
            width: newWidth, height: Int((Float(height) * factor).rounded()), points: points.map { $0 * factor })
    }

    /// The names ``init(named:width:)`` knows.
    public static let names = ["arcface", "dlib"]

    /// `arcface` (``arcface``), `dlib` (``dlibChip(size:padding:)`` with padding 0.25), or else
    /// the path of a template file; scaled to `width` pixels wide when given (by default each
    /// keeps its own: 112, 150, the file's).
    public init(named name: String, width: Int? = nil) throws {
        let template: AlignmentTemplate
        switch name {
        case "arcface": template = .arcface
        case "dlib": template = try .dlibChip(size: width ?? 150)
        default: template = try AlignmentTemplate(contentsOf: URL(fileURLWithPath: name))
        }
        self = try width.map { try template.resized(toWidth: $0) } ?? template
    }

    /// Reads a template file (JSON, see the type's description); throws
    /// ``AlignmentError/invalidTemplateFile(_:_:)`` naming the file and what is wrong.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw AlignmentError.invalidTemplateFile(url.path, "cannot be read (\(error.localizedDescription))")
        }
        do {
            self = try JSONDecoder().decode(AlignmentTemplate.self, from: data)
        } catch let error as AlignmentError {
            guard case .invalidTemplate(let problem) = error else { throw error }
            throw AlignmentError.invalidTemplateFile(url.path, problem)
        } catch let DecodingError.keyNotFound(key, _) {
            throw AlignmentError.invalidTemplateFile(url.path, "no '\(key.stringValue)' (\(Self.fileShape))")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            throw AlignmentError.invalidTemplateFile(url.path, "'\(path)': \(Self.fileShape)")
        } catch {
            throw AlignmentError.invalidTemplateFile(url.path, "not JSON (\(Self.fileShape))")
        }
    }

    static let fileShape = #"expected {"width": W, "height": H, "points": [[x, y], five pairs]}"#

    /// Why these values cannot make a template, naming the field, or nil.
    var problem: String? {
        let sides = 1...Self.maximumSide
        if !sides.contains(width) || !sides.contains(height) {
            return "width and height: expected \(sides) pixels, got \(width)x\(height)"
        }
        if points.count != 5 {
            return
                "points: expected 5 (left eye, right eye, nose tip, left and right mouth corner), got \(points.count)"
        }
        if let bad = points.firstIndex(where: { !$0.x.isFinite || !$0.y.isFinite }) {
            return "points.\(bad): expected finite coordinates"
        }
        if Affine2D.similarity(mapping: points, to: points) == nil { return "points: expected distinct points" }
        return nil
    }

    private enum CodingKeys: String, CodingKey { case width, height, points }

    /// Decodes `{"width", "height", "points": [[x, y], ...]}` and checks it.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let pairs = try container.decode([[Float]].self, forKey: .points)
        if let bad = pairs.firstIndex(where: { $0.count != 2 }) {
            throw AlignmentError.invalidTemplate("points.\(bad): expected [x, y]")
        }
        try self.init(
            width: try container.decode(Int.self, forKey: .width),
            height: try container.decode(Int.self, forKey: .height),
            points: pairs.map { Point($0[0], $0[1]) })
    }

    /// Encodes the form ``init(from:)`` reads.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(width, forKey: .width)
        try container.encode(height, forKey: .height)
        try container.encode(points.map { [$0.x, $0.y] }, forKey: .points)
    }
}
