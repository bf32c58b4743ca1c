import FaceKeypoints
import Foundation

/// What a landmark service serves and the limits it keeps. Every limit is checked before the
/// work it bounds: the body before it is read in full, the pixels before they are decoded, the
/// queue before a request waits.
public struct ServiceConfiguration: Sendable {
    /// The address to bind: localhost unless told otherwise.
    public var host = "127.0.0.1"
    /// The TCP port (0: any free port).
    public var port = 8080
    /// The keypoint model file (nil: the shipped 68-point model).
    public var modelFile: URL?
    /// The smallest face searched for when a request does not say (`minFace`), in pixels.
    public var minimumFaceSize = 20
    /// The largest request body read, in bytes.
    public var maximumBodyBytes = 20 << 20
    /// The most pixels an uploaded image may declare; larger ones are refused from their header,
    /// before any pixel memory is allocated.
    public var maximumPixelCount = 40_000_000
    /// How many photos are processed at once.
    public var concurrency = ProcessInfo.processInfo.activeProcessorCount
    /// How many requests may wait for a free slot; one more is answered 503 with `Retry-After`.
    public var queueLength = 32

    /// The defaults: localhost:8080, the shipped model, 20 MB bodies, 40 megapixels, as many
    /// photos at once as there are cores, 32 waiting.
    public init() {}

    /// The smallest faces a server or a request may ask to search for: from the detector's
    /// 12-pixel cell (a smaller one would scale every photo up) to 100000 px.
    public static let minimumFaceSizes = MTCNN.smallestMinimumFaceSize...100_000

    /// Why this configuration cannot serve, naming the setting, or nil.
    public var problem: String? {
        if !(0...65535).contains(port) { return "the port must be in 0...65535, got \(port)" }
        if !Self.minimumFaceSizes.contains(minimumFaceSize) {
            return "the smallest face must be \(Self.minimumFaceSizes) px, got \(minimumFaceSize)"
        }
        if maximumBodyBytes < 1 { return "the body limit must be at least 1 byte, got \(maximumBodyBytes)" }
        if maximumPixelCount < 1 { return "the pixel budget must be at least 1 pixel, got \(maximumPixelCount)" }
        if concurrency < 1 { return "the concurrency must be at least 1, got \(concurrency)" }
        if queueLength < 0 { return "the queue length must be at least 0, got \(queueLength)" }
        return nil
    }
}
