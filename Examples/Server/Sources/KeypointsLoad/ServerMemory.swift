import AsyncHTTPClient
import Foundation

/// A server's memory as its `/metrics` reports it: resident, and the idle tensor buffers the
/// library keeps for reuse, in megabytes (nil where the server does not report it).
struct ServerMemory {
    var residentMegabytes: Double?
    var tensorCacheMegabytes: Double?

    var residentText: String { residentMegabytes.map { String(format: "%.0f", $0) } ?? "-" }
    var cacheText: String { tensorCacheMegabytes.map { String(format: "%.0f", $0) } ?? "-" }

    /// Reads `GET url/metrics`.
    static func read(client: HTTPClient, url: String) async throws -> ServerMemory {
        let response = try await client.execute(HTTPClientRequest(url: url + "/metrics"), timeout: .seconds(30))
        let text = String(buffer: try await response.body.collect(upTo: 4 << 20))
        func megabytes(_ name: String) -> Double? {
            text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
                .flatMap { Double($0.split(separator: " ")[1]) }.map { $0 / 1_048_576 }
        }
        return ServerMemory(
            residentMegabytes: megabytes("process_resident_memory_bytes"),
            tensorCacheMegabytes: megabytes("keypoints_tensor_cache_bytes"))
    }
}
