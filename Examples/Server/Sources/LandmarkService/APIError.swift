import Foundation
import HTTPTypes
import Hummingbird

/// An error answered as `{"error": "..."}` with its status: every failure the service reports,
/// whatever raised it. The message says what was wrong and what is expected.
public struct APIError: Error, HTTPResponseError, Sendable {
    /// The response status.
    public var status: HTTPResponse.Status
    /// What went wrong, for the client.
    public var message: String
    /// The kind counted by the `keypoints_errors_total` metric (`bad_image`, `too_large`, ...).
    public var kind: String
    /// Extra response headers (`Retry-After`, `Allow`).
    public var headers: HTTPFields

    /// An error of `status`, counted as `kind`.
    public init(_ status: HTTPResponse.Status, kind: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.kind = kind
        self.message = message
        self.headers = headers
    }

    /// `{"error": message}` with the status and headers.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json"
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let body = try encoder.encode(["error": message])
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
