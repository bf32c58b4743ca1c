import FaceKeypoints
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Landmarks over HTTP, on FaceKeypoints's public API: `POST /v1/landmarks` takes a photo and
/// answers the JSON `keypoints predict` writes for it; `GET /` is a page that does the same
/// from a browser; `GET /healthz`, `GET /metrics` (Prometheus) and `GET /openapi.yaml` serve
/// operations. One ``FaceLandmarker`` serves every request; an ``InferenceLimiter`` bounds how
/// many photos run at once and how many wait.
///
/// ```swift
/// let service = try LandmarkService(configuration: ServiceConfiguration())
/// try await service.application(logger: Logger(label: "keypoints-server")).runService()
/// ```
public struct LandmarkService: Sendable {
    /// What the service serves and its limits.
    public let configuration: ServiceConfiguration
    /// The counters `GET /metrics` shows.
    public let metrics = ServiceMetrics()
    /// The detector and the model every request shares.
    public let landmarker: FaceLandmarker
    /// The name the JSON gives the model: its file, or `shipped:landmarks68.safetensors`.
    public let modelName: String
    let limiter: InferenceLimiter
    let page: ByteBuffer
    let openAPIDocument: ByteBuffer

    /// The paths the service answers and their methods.
    static let routes: [String: [HTTPRequest.Method]] = [
        "/": [.get, .head], "/v1/landmarks": [.post], "/healthz": [.get, .head], "/metrics": [.get],
        "/openapi.yaml": [.get]
    ]

    /// Loads the model and the detector once; throws, naming the setting or the file, when the
    /// configuration cannot serve.
    public init(configuration: ServiceConfiguration) throws {
        if let problem = configuration.problem { throw ServiceError(problem) }
        self.configuration = configuration
        let model = try configuration.modelFile.map { try KeypointModel(contentsOf: $0) } ?? .shippedLandmarks()
        modelName = configuration.modelFile?.path ?? "shipped:\(KeypointModel.shippedLandmarksFile)"
        let detector =
            model.spec.crop == .wholeImage ? nil : try MTCNN.pretrained(minimumFaceSize: configuration.minimumFaceSize)
        landmarker = FaceLandmarker(detector: detector, model: model)
        limiter = InferenceLimiter(concurrency: configuration.concurrency, queueLength: configuration.queueLength)
        page = try Self.resource("index", "html")
        openAPIDocument = try Self.resource("openapi", "yaml")
    }

    private static func resource(_ name: String, _ type: String) throws -> ByteBuffer {
        guard let url = Bundle.module.url(forResource: name, withExtension: type) else {
            throw ServiceError("the service's \(name).\(type) is missing from its resource bundle")
        }
        return ByteBuffer(bytes: try Data(contentsOf: url))
    }

    /// Every route, wrapped in the middleware that answers errors as JSON, counts and logs.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ServiceMiddleware(metrics: metrics, routes: Self.routes))
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: page))
        }
        router.head("/") { _, _ in Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"]) }
        router.get("/healthz") { _, _ in Self.json(#"{"status":"ok"}"#) }
        router.head("/healthz") { _, _ in Response(status: .ok) }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
        router.get("/openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: openAPIDocument))
        }
        router.post("/v1/landmarks") { request, context in try await landmarks(request, context: context) }
        return router
    }

    /// The application serving ``router()`` at the configured address; `runService()` runs it
    /// until SIGTERM or SIGINT, then finishes the requests in flight before returning.
    public func application(logger: Logger) -> some ApplicationProtocol {
        Application(
            router: router(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            logger: logger)
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// A configuration the service cannot start with.
public struct ServiceError: Error, CustomStringConvertible, Sendable {
    /// What is wrong and what is expected.
    public let description: String
    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}
