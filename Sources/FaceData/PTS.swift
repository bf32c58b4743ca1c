import Foundation

/// The 300-W / iBUG `.pts` landmark format.
///
/// With a header (`version: 1`, `n_points: 68`, `{`, one `x y` line per point, `}`) or without
/// one (just the `x y` lines). Coordinates in the file are 1-based pixels: the first pixel's
/// center is (1, 1). Reading converts to the package convention (pixel `i`'s center at
/// `i + 0.5`), so a file value `v` becomes `v - 0.5`; writing converts back.
///
/// ```swift
/// let points = try PTSFile.read(URL(fileURLWithPath: "afw/1051618982_1.pts"))   // 68 points
/// try PTSFile.write(points, to: URL(fileURLWithPath: "/tmp/copy.pts"))
/// ```
public enum PTSFile {
    /// The offset added to a file value to get the package convention (`v - 1 + 0.5`).
    public static let fileToPackageOffset: Float = -0.5

    /// Reads `url`; `expectedPointCount` (68 for iBUG; nil to accept any) is checked.
    public static func read(_ url: URL, expectedPointCount: Int? = 68) throws -> [SIMD2<Float>] {
        try parse(try readText(url), file: url.path, expectedPointCount: expectedPointCount)
    }

    /// Parses the text of a `.pts` file; `file` only names it in errors.
    public static func parse(_ text: String, file: String, expectedPointCount: Int? = 68) throws -> [SIMD2<Float>] {
        var declared: Int?
        var opened = false, closed = false
        var points: [SIMD2<Float>] = []
        var lastLine = 1
        for (number, raw) in numberedLines(text) {
            let parts = fields(raw)
            if parts.isEmpty { continue }
            lastLine = number
            if closed {
                throw FaceDataError(.malformed, file: file, line: number, "expected nothing after '}', got '\(raw)'")
            }
            let first = parts[0].lowercased()
            if first.hasPrefix("version") {
                guard points.isEmpty, !opened else {
                    throw FaceDataError(.malformed, file: file, line: number, "expected 'version:' only in the header")
                }
                continue
            }
            if first.hasPrefix("n_points") {
                guard points.isEmpty, !opened else {
                    throw FaceDataError(.malformed, file: file, line: number, "expected 'n_points:' only in the header")
                }
                let value =
                    first == "n_points:" || first == "n_points"
                    ? parts.dropFirst().first.map(String.init)
                    : String(first.dropFirst("n_points:".count))
                guard let value, let n = Int(value), n > 0 else {
                    throw FaceDataError(
                        .malformed, file: file, line: number, "expected 'n_points: <positive integer>', got '\(raw)'")
                }
                declared = n
                continue
            }
            if parts == ["{"] {
                guard !opened, points.isEmpty else {
                    throw FaceDataError(.malformed, file: file, line: number, "expected '{' once, before the points")
                }
                opened = true
                continue
            }
            if parts == ["}"] {
                guard opened else {
                    throw FaceDataError(.malformed, file: file, line: number, "expected '{' before '}'")
                }
                closed = true
                continue
            }
            guard parts.count == 2 else {
                throw FaceDataError(.malformed, file: file, line: number, "expected a point 'x y', got '\(raw)'")
            }
            guard let x = parseFinite(parts[0]), let y = parseFinite(parts[1]) else {
                throw FaceDataError(
                    .invalidNumber, file: file, line: number, "expected two numbers 'x y', got '\(raw)'")
            }
            points.append(SIMD2(Float(x), Float(y)) + SIMD2(repeating: fileToPackageOffset))
        }
        if opened && !closed {
            throw FaceDataError(
                .malformed, file: file, line: lastLine, "expected '}' after the points (the file is truncated)")
        }
        if let declared, declared != points.count {
            throw FaceDataError(
                .wrongPointCount, file: file, line: lastLine,
                "the header declares n_points: \(declared), the file has \(points.count) points")
        }
        if let expectedPointCount, points.count != expectedPointCount {
            throw FaceDataError(
                .wrongPointCount, file: file, line: lastLine,
                "expected \(expectedPointCount) points, got \(points.count)")
        }
        if points.isEmpty {
            throw FaceDataError(.wrongPointCount, file: file, "expected points, the file has none")
        }
        return points
    }

    /// The text of a `.pts` file with the standard header, coordinates 1-based with 3 decimals.
    public static func format(_ points: [SIMD2<Float>]) -> String {
        var text = "version: 1\nn_points:  \(points.count)\n{\n"
        for p in points {
            let q = p - SIMD2(repeating: fileToPackageOffset)
            text += String(format: "%.3f %.3f\n", Double(q.x), Double(q.y))
        }
        return text + "}\n"
    }

    /// Writes ``format(_:)`` to `url`.
    public static func write(_ points: [SIMD2<Float>], to url: URL) throws {
        do {
            try format(points).write(to: url, atomically: true, encoding: .utf8)
        } catch {
            throw FaceDataError(.unreadable, file: url.path, "cannot write the file: \(error.localizedDescription)")
        }
    }
}
