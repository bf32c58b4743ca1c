import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Wraps every request, routed or not: answers any error as ``APIError`` JSON (a route that
/// exists with another method gets 405 and `Allow`; an unknown one 404; a body over the limit
/// 413; anything unforeseen 500 without details), then counts the request and logs one line
/// with Hummingbird's request id.
struct ServiceMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics
    /// The methods of each path the service routes.
    let routes: [String: [HTTPRequest.Method]]

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        let start = ContinuousClock.now
        let path = request.uri.path
        let route = routes[path] != nil ? path : "unknown"
        let response: Response
        var refusal: APIError?
        do {
            response = try await next(request, context)
        } catch {
            let apiError = Self.apiError(for: error, method: request.method, path: path, routes: routes)
            if apiError.status == .internalServerError {
                context.logger.error("unexpected failure", metadata: ["error": "\(String(reflecting: error))"])
            }
            metrics.recordError(kind: apiError.kind)
            refusal = apiError
            response = try apiError.response(from: request, context: context)
        }
        let duration = ContinuousClock.now - start
        metrics.recordRequest(route: route, status: response.status.code, duration: duration)
        context.logger.info(
            "\(request.method) \(path) \(response.status.code)",
            metadata: [
                "duration_ms":
                    "\(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)",
                "error": refusal.map { .string($0.message) } ?? "-"
            ])
        return response
    }

    /// `error` as the service answers it.
    static func apiError(
        for error: any Error, method: HTTPRequest.Method, path: String, routes: [String: [HTTPRequest.Method]]
    ) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as HTTPError where error.status == .notFound:
            if let allowed = routes[path], !allowed.contains(method) {
                let allow = allowed.map(\.rawValue).joined(separator: ", ")
                return APIError(
                    .methodNotAllowed, kind: "method", "\(path) answers \(allow), not \(method)",
                    headers: [.allow: allow])
            }
            return APIError(
                .notFound, kind: "route",
                "no route \(path); the service answers POST /v1/landmarks, GET /, /healthz, /metrics and /openapi.yaml")
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, kind: "too_large", "the body is over the server's limit")
        case let error as any HTTPResponseError where (400..<500).contains(error.status.code):
            return APIError(error.status, kind: "http", "\(error.status.reasonPhrase)")
        default:
            return APIError(.internalServerError, kind: "internal", "the server failed; the request was not processed")
        }
    }
}
