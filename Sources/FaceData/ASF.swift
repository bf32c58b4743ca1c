import Foundation

/// An IMM / AAM-API shape file (`.asf`): 58 points in relative coordinates.
///
/// The format: `#` comment lines; the first data line is the number of points; then one line
/// per point, `path type x y point from to` separated by tabs or spaces (some files carry extra
/// trailing fields, which are ignored), where `x` and `y` are relative: pixel / image width
/// and pixel / image height; the last data line names the host image.
///
/// ```swift
/// let shape = try ASFShape(contentsOf: URL(fileURLWithPath: "imm_face_db/01-1m.asf"))
/// let points = shape.keypoints(imageWidth: 640, imageHeight: 480)   // package pixel convention
/// let noseTip = points[52]
/// ```
public struct ASFShape: Sendable, Equatable {
    /// One annotated point with its place in the outline.
    public struct Point: Sendable, Equatable {
        /// The outline (path) the point belongs to: 0 jaw, 1-2 eyes, 3-4 brows, 5 mouth, 6 nose.
        public var path: Int
        /// The AAM point type (0 outer edge, 4 closed path, ...; kept as written).
        public var type: Int
        /// Relative x: pixel / image width.
        public var x: Double
        /// Relative y: pixel / image height.
        public var y: Double
        /// The index of the previous point along the path (the file's `from` field).
        public var connectsFrom: Int
        /// The index of the next point along the path (the file's `to` field).
        public var connectsTo: Int

        /// A point from the fields of one `.asf` point line (`x` and `y` relative to the image
        /// size).
        public init(path: Int, type: Int, x: Double, y: Double, connectsFrom: Int, connectsTo: Int) {
            self.path = path
            self.type = type
            self.x = x
            self.y = y
            self.connectsFrom = connectsFrom
            self.connectsTo = connectsTo
        }
    }

    /// The points in file order (point `i` has `point# == i`).
    public var points: [Point]
    /// The host image's file name, as written on the last data line (nil when absent).
    public var hostImage: String?

    /// A shape from its points, in file order, and its host image's file name.
    public init(points: [Point], hostImage: String?) {
        self.points = points
        self.hostImage = hostImage
    }

    /// Reads and validates `url`. `expectedPointCount` (58 for IMM; nil to accept any) is
    /// checked against both the count line and the point lines.
    public init(contentsOf url: URL, expectedPointCount: Int? = 58) throws {
        try self.init(parsing: try readText(url), file: url.path, expectedPointCount: expectedPointCount)
    }

    /// Parses the text of a `.asf` file; `file` only names it in errors.
    public init(parsing text: String, file: String, expectedPointCount: Int? = 58) throws {
        let data = numberedLines(text).filter { line in
            let trimmed = line.text.drop(while: { $0 == " " || $0 == "\t" })
            return !trimmed.isEmpty && !trimmed.hasPrefix("#")
        }
        guard let countLine = data.first else {
            throw FaceDataError(.malformed, file: file, "expected the number of points, found no data lines")
        }
        let countFields = fields(countLine.text)
        guard countFields.count == 1, let count = Int(countFields[0]), count > 0 else {
            throw FaceDataError(
                .malformed, file: file, line: countLine.number,
                "expected the number of points (a positive integer), got '\(countLine.text)'")
        }
        if let expectedPointCount, count != expectedPointCount {
            throw FaceDataError(
                .wrongPointCount, file: file, line: countLine.number,
                "expected \(expectedPointCount) points, the file declares \(count)")
        }
        var points: [Point] = []
        points.reserveCapacity(min(count, data.count))  // `count` comes from the file
        var index = 1
        while index < data.count, points.count < count {
            let line = data[index]
            let parts = fields(line.text)
            guard parts.count >= 7 else {
                if parts.count == 1 && Double(parts[0]) == nil { break }  // the host image name: too few points
                throw FaceDataError(
                    .malformed, file: file, line: line.number,
                    "expected 7 fields `path type x y point from to`, got \(parts.count): '\(line.text)'")
            }
            let integers = [0, 1, 4, 5, 6].map { Int(parts[$0]) }
            guard let x = parseFinite(parts[2]), let y = parseFinite(parts[3]) else {
                throw FaceDataError(
                    .invalidNumber, file: file, line: line.number,
                    "expected relative coordinates x y as numbers, got '\(parts[2])' '\(parts[3])'")
            }
            guard integers.allSatisfy({ $0 != nil }) else {
                throw FaceDataError(
                    .invalidNumber, file: file, line: line.number,
                    "expected integers for path, type, point, from and to, got '\(line.text)'")
            }
            let path = integers[0]!, type = integers[1]!, number = integers[2]!, from = integers[3]!, to = integers[4]!
            guard number == points.count else {
                throw FaceDataError(
                    .malformed, file: file, line: line.number,
                    "expected point number \(points.count), got \(number)")
            }
            guard (-0.5...1.5).contains(x), (-0.5...1.5).contains(y) else {
                throw FaceDataError(
                    .outOfBounds, file: file, line: line.number,
                    "expected relative coordinates near [0, 1], got x=\(x) y=\(y)")
            }
            guard (0..<count).contains(from), (0..<count).contains(to) else {
                throw FaceDataError(
                    .malformed, file: file, line: line.number,
                    "expected neighbour indices in 0..<\(count), got \(from) and \(to)")
            }
            points.append(Point(path: path, type: type, x: x, y: y, connectsFrom: from, connectsTo: to))
            index += 1
        }
        guard points.count == count else {
            let where_ = index < data.count ? data[index].number : (data.last?.number ?? 1)
            throw FaceDataError(
                .wrongPointCount, file: file, line: where_,
                "expected \(count) point lines, found \(points.count)")
        }
        var host: String?
        if index < data.count {
            let line = data[index]
            let parts = fields(line.text)
            guard parts.count == 1 else {
                throw FaceDataError(
                    .malformed, file: file, line: line.number,
                    "expected the host image's file name after \(count) points, got '\(line.text)'")
            }
            host = String(parts[0])
            if index + 1 < data.count {
                let extra = data[index + 1]
                throw FaceDataError(
                    .malformed, file: file, line: extra.number,
                    "expected nothing after the host image name, got '\(extra.text)'")
            }
        }
        self.points = points
        self.hostImage = host
    }

    /// The points in the package's pixel convention for an image of the given size:
    /// `(x * width, y * height)`, continuous coordinates where pixel `i`'s center is `i + 0.5`.
    public func keypoints(imageWidth: Int, imageHeight: Int) -> [SIMD2<Float>] {
        points.map { SIMD2(Float($0.x * Double(imageWidth)), Float($0.y * Double(imageHeight))) }
    }

    /// The text of the file, in the layout the IMM database uses.
    public func formatted() -> String {
        var text = """
            ######################################################################
            #
            #    AAM Shape File  -  written by FaceKeypoints
            #
            ######################################################################

            #
            # number of model points
            #
            \(points.count)

            #
            # model points
            #
            # format: <path#> <type> <x rel.> <y rel.> <point#> <connects from> <connects to>
            #

            """
        for (i, p) in points.enumerated() {
            text +=
                "\(p.path) \t\(p.type) \t\(String(format: "%.8f", p.x)) \t\(String(format: "%.8f", p.y)) \t\(i) \t\(p.connectsFrom) \t\(p.connectsTo)\n"
        }
        text += "\n#\n# host image\n#\n\(hostImage ?? "")\n"
        return text
    }

    /// Writes ``formatted()`` to `url`.
    public func write(to url: URL) throws {
        do {
            try formatted().write(to: url, atomically: true, encoding: .utf8)
        } catch {
            throw FaceDataError(.unreadable, file: url.path, "cannot write the file: \(error.localizedDescription)")
        }
    }
}
