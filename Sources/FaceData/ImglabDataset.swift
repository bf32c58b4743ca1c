import Foundation
import TensorIO
import Vision

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A dlib imglab XML file:
/// `<dataset><name/><comment/><images><image file='..' [width height]><box top left width
/// height [ignore='1']><part name='00' x y/>...</box></image></images></dataset>`.
///
/// Reading checks the structure and the numbers and, where the image carries `width` and
/// `height`, that every box lies at least half inside the image and every part inside it.
///
/// ```swift
/// let labels = try ImglabDataset(contentsOf: URL(fileURLWithPath: "300w_subset/labels.xml"))
/// let first = labels.images[0]
/// let points = try first.boxes[0].keypoints(count: 68, file: "labels.xml", element: "first")!
/// try labels.write(to: URL(fileURLWithPath: "/tmp/copy.xml"))
/// ```
public struct ImglabDataset: Sendable, Equatable {
    /// The `<name>` text, if any.
    public var name: String?
    /// The `<comment>` text, if any.
    public var comment: String?
    /// The `<image>` entries, in file order.
    public var images: [ImglabImage]

    /// A dataset built in code, from its name, comment and images.
    public init(name: String? = nil, comment: String? = nil, images: [ImglabImage] = []) {
        self.name = name
        self.comment = comment
        self.images = images
    }

    /// Reads `url`.
    public init(contentsOf url: URL) throws {
        let data = try RegularFile.contents(of: url) {
            FaceDataError(.unreadable, file: url.path, "cannot read the file (\($0))")
        }
        try self.init(data: data, file: url.path)
    }

    /// Parses XML `data`; `file` only names it in errors.
    public init(data: Data, file: String) throws {
        if let problem = unparseableXML(data) {
            throw FaceDataError(.malformed, file: file, line: problem.line, problem.message)
        }
        let builder = ImglabBuilder(file: file)
        let parser = XMLParser(data: data)
        parser.delegate = builder
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        let ok = parser.parse()
        if let error = builder.error { throw error }
        if !ok {
            let code = (parser.parserError as NSError?)?.code ?? -1
            throw FaceDataError(
                .malformed, file: file, line: parser.lineNumber,
                "expected well-formed XML (XMLParser error \(code)\(builder.openElements.isEmpty ? "" : " inside <\(builder.openElements.last!)>"))"
            )
        }
        guard builder.sawDataset else {
            throw FaceDataError(.malformed, file: file, "expected a <dataset> root element")
        }
        name = builder.name
        comment = builder.comment
        images = builder.images
    }

    /// All boxes that are not marked `ignore`, with their image.
    public var faces: [(image: ImglabImage, box: ImglabBox)] {
        images.flatMap { image in image.boxes.filter { !$0.ignore }.map { (image, $0) } }
    }

    /// The XML text, in the layout dlib writes.
    public func formatted() -> String {
        var xml = "<?xml version='1.0' encoding='ISO-8859-1'?>\n<dataset>\n"
        if let name { xml += "<name>\(escapeXML(name))</name>\n" }
        if let comment { xml += "<comment>\(escapeXML(comment))</comment>\n" }
        xml += "<images>\n"
        for image in images {
            xml += "  <image file='\(escapeXML(image.file))'"
            if let width = image.width, let height = image.height { xml += " width='\(width)' height='\(height)'" }
            xml += ">\n"
            for box in image.boxes {
                xml += "    <box top='\(box.top)' left='\(box.left)' width='\(box.width)' height='\(box.height)'"
                if box.ignore { xml += " ignore='1'" }
                if box.parts.isEmpty && box.label == nil {
                    xml += "/>\n"
                    continue
                }
                xml += ">\n"
                if let label = box.label { xml += "      <label>\(escapeXML(label))</label>\n" }
                for part in box.parts {
                    xml += "      <part name='\(escapeXML(part.name))' x='\(part.x)' y='\(part.y)'/>\n"
                }
                xml += "    </box>\n"
            }
            xml += "  </image>\n"
        }
        return xml + "</images>\n</dataset>\n"
    }

    /// Writes ``formatted()`` to `url` (ISO Latin 1, as dlib does; characters outside it are
    /// written as character references).
    public func write(to url: URL) throws {
        do {
            try Data(formatted().utf8).write(to: url, options: .atomic)
        } catch {
            throw FaceDataError(.unreadable, file: url.path, "cannot write the file: \(error.localizedDescription)")
        }
    }

    /// Builds an imglab dataset from images and their keypoints: one box per face, the tight
    /// box around the (rounded) points, parts named `00`, `01`, ...
    public static func fromKeypoints(
        _ faces: [(file: String, keypoints: [SIMD2<Float>])], name: String? = nil
    ) -> ImglabDataset {
        let count = faces.map(\.keypoints.count).max() ?? 0
        return fromKeypoints(
            faces.map { ($0.file, $0.keypoints, nil) }, pointNames: (0..<count).map { String(format: "%02d", $0) },
            name: name)
    }

    /// Builds an imglab dataset from images, their keypoints (named by `pointNames`, in order;
    /// absent points are left out, as imglab does) and face boxes (nil: the tight box around
    /// the rounded points). Points go to the pixel that holds them (`x - 0.5`, rounded).
    public static func fromKeypoints(
        _ faces: [(file: String, keypoints: [Point], box: BoundingBox?)], pointNames: [String],
        name: String? = nil
    ) -> ImglabDataset {
        var images: [ImglabImage] = []
        for face in faces {
            let parts = zip(pointNames, face.keypoints).filter { $0.1.isPresent }.map { name, p in
                ImglabPart(name: name, x: Int((p.x - 0.5).rounded()), y: Int((p.y - 0.5).rounded()))
            }
            let box: ImglabBox
            if let given = face.box {
                box = ImglabBox(rounding: given, parts: parts)
            } else {
                let xs = parts.map(\.x), ys = parts.map(\.y)
                let left = xs.min() ?? 0, top = ys.min() ?? 0
                box = ImglabBox(
                    top: top, left: left, width: (xs.max() ?? 0) - left, height: (ys.max() ?? 0) - top, parts: parts)
            }
            if let last = images.last, last.file == face.file {
                images[images.count - 1].boxes.append(box)
            } else {
                images.append(ImglabImage(file: face.file, boxes: [box]))
            }
        }
        return ImglabDataset(name: name, images: images)
    }
}

/// Why `data` must not reach `XMLParser`, or nil.
///
/// swift-corelibs-foundation's XMLParser (Linux) dereferences a NULL pointer, killing the
/// process, on a processing instruction without data such as `<?foo?>` (found by fuzzing; its
/// `_NSXMLParserProcessingInstruction` calls `String(cString:)` on libxml2's NULL data). Such
/// documents are refused here. A byte scan only sees the instruction if the bytes are the
/// characters, so documents that libxml2 would decode otherwise (UTF-16/32, EBCDIC, a declared
/// encoding other than UTF-8/ASCII/ISO-8859-1) are refused too, as are DOCTYPE declarations (an
/// entity can spell `<?foo?>` with character references). imglab files use none of these.
func unparseableXML(_ data: Data) -> (line: Int, message: String)? {
    let bytes = [UInt8](data)
    func line(at offset: Int) -> Int { 1 + bytes[..<offset].lazy.filter { $0 == 0x0A }.count }
    func matches(_ text: String, at offset: Int) -> Bool {
        let pattern = text.utf8
        return offset + pattern.count <= bytes.count && bytes[offset..<offset + pattern.count].elementsEqual(pattern)
    }
    if let zero = bytes.firstIndex(of: 0) {
        return (
            line(at: zero), "expected UTF-8 or ISO-8859-1 XML, found a NUL byte (UTF-16/32 documents are not supported)"
        )
    }
    if bytes.starts(with: [0x4C, 0x6F, 0xA7, 0x94]) {
        return (1, "expected UTF-8 or ISO-8859-1 XML, found EBCDIC")
    }
    let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    if matches("<?xml", at: start), let end = (start..<bytes.count).first(where: { matches("?>", at: $0) }),
        let key = (start..<end).first(where: { matches("encoding", at: $0) })
    {
        let declaration = String(decoding: bytes[(key + 8)..<end], as: UTF8.self)
        let value = declaration.drop {
            $0 == " " || $0 == "=" || $0 == "'" || $0 == "\"" || $0 == "\t" || $0 == "\r" || $0 == "\n"
        }
        .prefix { $0 != "'" && $0 != "\"" }.lowercased()
        let supported = ["utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "iso_8859-1", "latin1", "iso-latin-1"]
        if !supported.contains(value) {
            return (1, "expected the encoding UTF-8, US-ASCII or ISO-8859-1, the XML declaration names '\(value)'")
        }
    }
    for i in bytes.indices where bytes[i] == UInt8(ascii: "<") {
        if matches("<!DOCTYPE", at: i) {
            return (
                line(at: i), "expected no <!DOCTYPE> declaration (imglab files have none; entities are not supported)"
            )
        }
        guard matches("<?", at: i) else { continue }
        var j = i + 2
        while j < bytes.count, ![0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: "?")].contains(bytes[j]) { j += 1 }
        if j > i + 2, matches("?>", at: j) {
            return (
                line(at: i),
                "expected a processing instruction with data; '\(String(decoding: bytes[i..<j + 2], as: UTF8.self))' has none"
            )
        }
    }
    return nil
}

func escapeXML(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "'": out += "&apos;"
        case "\"": out += "&quot;"
        case "\n", "\r", "\t":
            // Character references: an XML parser normalizes raw ones in attributes to spaces.
            out += "&#\(scalar.value);"
        default:
            if scalar.value < 128 { out.unicodeScalars.append(scalar) } else { out += "&#\(scalar.value);" }
        }
    }
    return out
}

/// Collects the imglab structure from XMLParser callbacks; records the first error.
private final class ImglabBuilder: NSObject, XMLParserDelegate {
    let file: String
    var error: FaceDataError?
    var sawDataset = false
    var name: String?
    var comment: String?
    var images: [ImglabImage] = []
    var openElements: [String] = []
    private var currentImage: ImglabImage?
    private var currentBox: ImglabBox?
    private var text = ""

    init(file: String) { self.file = file }

    private func fail(_ parser: XMLParser, _ kind: FaceDataError.Kind, element: String?, _ message: String) {
        if error == nil {
            error = FaceDataError(kind, file: file, line: parser.lineNumber, element: element, message)
        }
        parser.abortParsing()
    }

    private var imageName: String { currentImage.map { "<image file='\($0.file)'>" } ?? "<image>" }
    private var boxName: String { "\(imageName) box \((currentImage?.boxes.count ?? 0) + 1)" }

    private func integer(_ attributes: [String: String], _ key: String, _ parser: XMLParser, element: String) -> Int? {
        guard let raw = attributes[key] else {
            fail(parser, .malformed, element: element, "expected attribute '\(key)'")
            return nil
        }
        guard let value = Int(raw.trimmingCharacters(in: .whitespaces)) else {
            fail(parser, .invalidNumber, element: element, "expected an integer for '\(key)', got '\(raw)'")
            return nil
        }
        return value
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName: String?, attributes: [String: String] = [:]
    ) {
        guard error == nil else { return }
        let parent = openElements.last
        openElements.append(elementName)
        text = ""
        switch elementName {
        case "dataset":
            guard parent == nil else {
                return fail(parser, .malformed, element: "<dataset>", "expected <dataset> only as the root")
            }
            sawDataset = true
        case "images":
            guard parent == "dataset" else {
                return fail(parser, .malformed, element: "<images>", "expected <images> inside <dataset>")
            }
        case "image":
            guard parent == "images" else {
                return fail(parser, .malformed, element: "<image>", "expected <image> inside <images>")
            }
            guard let file = attributes["file"], !file.isEmpty else {
                return fail(parser, .malformed, element: "<image>", "expected a 'file' attribute")
            }
            var image = ImglabImage(file: file)
            image.line = parser.lineNumber
            currentImage = image
            if attributes["width"] != nil || attributes["height"] != nil {
                guard let w = integer(attributes, "width", parser, element: imageName),
                    let h = integer(attributes, "height", parser, element: imageName)
                else { return }
                guard w > 0, h > 0 else {
                    return fail(
                        parser, .invalidNumber, element: imageName,
                        "expected a positive width and height, got \(w)x\(h)")
                }
                currentImage?.width = w
                currentImage?.height = h
            }
        case "box":
            guard parent == "image" else {
                return fail(parser, .malformed, element: "<box>", "expected <box> inside <image>")
            }
            let element = boxName
            guard let top = integer(attributes, "top", parser, element: element),
                let left = integer(attributes, "left", parser, element: element),
                let width = integer(attributes, "width", parser, element: element),
                let height = integer(attributes, "height", parser, element: element)
            else { return }
            guard width > 0, height > 0 else {
                return fail(
                    parser, .invalidNumber, element: element,
                    "expected a positive width and height, got \(width)x\(height)")
            }
            let ignore = attributes["ignore"].map { $0 == "1" || $0.lowercased() == "true" } ?? false
            var box = ImglabBox(top: top, left: left, width: width, height: height, ignore: ignore)
            box.line = parser.lineNumber
            if let w = currentImage?.width, let h = currentImage?.height, !ignore,
                box.boundingBox.fractionInside(imageWidth: w, imageHeight: h) < 0.5
            {
                return fail(
                    parser, .outOfBounds, element: element,
                    "expected the box (left \(left), top \(top), \(width)x\(height)) to lie at least half inside the \(w)x\(h) image"
                )
            }
            currentBox = box
        case "part":
            guard parent == "box" else {
                return fail(parser, .malformed, element: "<part>", "expected <part> inside <box>")
            }
            let element = "\(boxName) <part name='\(attributes["name"] ?? "?")'>"
            guard let name = attributes["name"], !name.isEmpty else {
                return fail(parser, .malformed, element: element, "expected a 'name' attribute")
            }
            guard let x = integer(attributes, "x", parser, element: element),
                let y = integer(attributes, "y", parser, element: element)
            else { return }
            if let w = currentImage?.width, let h = currentImage?.height, x != -1 || y != -1,
                !(0..<w).contains(x) || !(0..<h).contains(y)
            {
                return fail(
                    parser, .outOfBounds, element: element,
                    "expected the part inside the \(w)x\(h) image, got x=\(x) y=\(y)")
            }
            currentBox?.parts.append(ImglabPart(name: name, x: x, y: y))
        default:
            break  // <name>, <comment>, <label> and unknown elements
        }
    }

    /// Linux's XMLParser runs libxml2 in recovery mode and may still report elements after an
    /// error (and return true from `parse()`), so the first error ends the parse here.
    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        guard error == nil else { return }
        let code = (parseError as NSError).code
        let reason = Self.xmlErrorReasons[code].map { ": \($0)" } ?? ""
        let inside = openElements.last.map { " inside <\($0)>" } ?? ""
        fail(parser, .malformed, element: nil, "expected well-formed XML (XMLParser error \(code)\(reason)\(inside))")
    }

    /// A few libxml2 / NSXMLParserError codes, spelled out.
    static let xmlErrorReasons: [Int: String] = [
        4: "the document is empty", 5: "the document ends early (truncated?)", 9: "invalid character",
        38: "unquoted attribute value", 39: "'<' in an attribute value", 40: "unfinished attribute value",
        41: "attribute without a value", 64: "no XML declaration", 65: "space required between attributes",
        73: "expected '>'", 76: "the end tag does not match the start tag", 85: "the document ends inside an element"
    ]

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard error == nil else { return }
        openElements.removeLast()
        let parent = openElements.last
        switch elementName {
        case "name" where parent == "dataset": name = text.trimmingCharacters(in: .whitespacesAndNewlines)
        case "comment" where parent == "dataset": comment = text.trimmingCharacters(in: .whitespacesAndNewlines)
        case "label" where parent == "box": currentBox?.label = text.trimmingCharacters(in: .whitespacesAndNewlines)
        case "box":
            if let box = currentBox { currentImage?.boxes.append(box) }
            currentBox = nil
        case "image":
            if let image = currentImage { images.append(image) }
            currentImage = nil
        default: break
        }
        text = ""
    }
}
