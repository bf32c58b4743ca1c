import Foundation
import TensorIO
import Vision

/// An `<image>` of an imglab file: the path relative to the XML file, the optional size
/// attributes, and its boxes.
public struct ImglabImage: Sendable, Equatable {
    /// The `file` attribute: the image path, relative to the XML file's folder unless absolute.
    public var file: String
    /// The `width` attribute in pixels, when present.
    public var width: Int?
    /// The `height` attribute in pixels, when present.
    public var height: Int?
    /// The boxes, in file order (ignored ones included).
    public var boxes: [ImglabBox]
    /// The line of the `<image>` element in its file (0 when built in code). Not compared.
    public var line: Int = 0

    /// An image entry for `file`, with optional size attributes in pixels and its boxes.
    public init(file: String, width: Int? = nil, height: Int? = nil, boxes: [ImglabBox] = []) {
        self.file = file
        self.width = width
        self.height = height
        self.boxes = boxes
    }

    /// The image file: ``file`` as it is when absolute, else relative to `folder` (the XML
    /// file's folder, as imglab resolves it).
    public func url(relativeTo folder: URL) -> URL {
        file.hasPrefix("/") ? URL(fileURLWithPath: file) : folder.appendingPathComponent(file)
    }

    public static func == (lhs: ImglabImage, rhs: ImglabImage) -> Bool {
        lhs.file == rhs.file && lhs.width == rhs.width && lhs.height == rhs.height && lhs.boxes == rhs.boxes
    }
}
