import FaceKeypoints
import Foundation
import Prometheus

/// The service's metrics, in Prometheus's text format at `GET /metrics`: requests by route and
/// status, their latency, the faces found, the errors by kind, the photos running and
/// waiting, and the process's memory: resident, and the part of it the library keeps as idle
/// tensor buffers for reuse (``BufferCache``). A registry of its own (not swift-metrics' global one), so every service, and every
/// test, counts alone.
public final class ServiceMetrics: Sendable {
    /// Where the metrics live; ``exposition()`` is what `GET /metrics` answers.
    public let registry = PrometheusCollectorRegistry()
    /// Photos being processed now.
    let running: Gauge
    /// Requests waiting for a slot now.
    let queued: Gauge
    /// Faces found in all photos.
    let faces: Counter
    /// The process's resident memory, read when the metrics are.
    let residentMemory: Gauge
    /// The idle tensor buffers the library keeps (``BufferCache/cachedBytes``), read when the
    /// metrics are.
    let tensorCache: Gauge
    /// The upper bounds of the latency histogram's buckets.
    static let latencyBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10)
    ]

    /// Registers every metric (so each is listed, at zero, before the first request).
    public init() {
        running = registry.makeGauge(
            descriptor: .init(
                metricName: "keypoints_photos_running", unitName: "", helpText: "Photos being processed now."))
        queued = registry.makeGauge(
            descriptor: .init(
                metricName: "keypoints_requests_queued", unitName: "", helpText: "Requests waiting for a free slot."))
        faces = registry.makeCounter(
            descriptor: .init(metricName: "keypoints_faces", unitName: "total", helpText: "Faces found in all photos."))
        residentMemory = registry.makeGauge(
            descriptor: .init(
                metricName: "process_resident_memory", unitName: "bytes", helpText: "Resident memory size in bytes."))
        tensorCache = registry.makeGauge(
            descriptor: .init(
                metricName: "keypoints_tensor_cache", unitName: "bytes",
                helpText: "Idle tensor buffers kept for reuse (BufferCache), part of the resident memory."))
    }

    /// The exposition, with the memory gauges read now.
    public func exposition() -> [UInt8] {
        if let bytes = Self.residentBytes() { residentMemory.set(Double(bytes)) }
        tensorCache.set(Double(BufferCache.cachedBytes))
        return registry.emitToBuffer()
    }

    /// This process's resident memory from `/proc/self/statm` (pages), or nil where there is none.
    static func residentBytes() -> Int? {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
            let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Counts one answered request of `route` (the route pattern, or `unknown`) with `status`,
    /// which took `duration`.
    func recordRequest(route: String, status: Int, duration: Duration) {
        let labels = [("route", route), ("status", String(status))]
        registry.makeCounter(
            descriptor: .init(
                metricName: "http_requests", unitName: "total", helpText: "Requests answered, by route and status."),
            labels: labels
        ).increment()
        registry.makeDurationHistogram(
            descriptor: .init(
                metricName: "http_request_duration", unitName: "seconds",
                helpText: "Time to answer a request, by route."),
            labels: [("route", route)], buckets: Self.latencyBuckets
        ).record(duration)
    }

    /// Counts one error of `kind` (`bad_image`, `too_large`, `overloaded`, ...).
    func recordError(kind: String) {
        registry.makeCounter(
            descriptor: .init(
                metricName: "keypoints_errors", unitName: "total", helpText: "Refused or failed requests, by kind."),
            labels: [("kind", kind)]
        ).increment()
    }
}
