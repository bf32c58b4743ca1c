/// Why ``MTCNN/faces(in:)`` could not look at an image.
public enum MTCNNError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The image has no pixels.
    case emptyImage(width: Int, height: Int)

    public var description: String {
        switch self {
        case .emptyImage(let width, let height):
            return "MTCNN: the image is empty (\(width)x\(height)); there is nothing to search"
        }
    }
}
