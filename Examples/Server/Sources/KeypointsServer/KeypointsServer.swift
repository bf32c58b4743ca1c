import ArgumentParser
import FaceKeypoints
import Foundation
import LandmarkService
import Logging

/// `keypoints-server`: the landmark service on a port. Parses options, starts the service, and
/// on SIGTERM or SIGINT finishes the requests in flight before exiting.
@main
struct KeypointsServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keypoints-server",
        abstract: "Serve facial landmarks over HTTP: POST /v1/landmarks, a web page at /, /healthz, /metrics.")

    @Option(help: "The address to bind (default: localhost only).") var host = "127.0.0.1"
    @Option(help: "The TCP port.") var port = 8080
    @Option(help: "A keypoint model file (default: the shipped 68-point model).") var model: String?
    @Option(name: .customLong("min-face"), help: "The smallest face searched for, in pixels, unless a request says.")
    var minimumFace = 20
    @Option(name: .customLong("max-body-mb"), help: "The largest request body, in megabytes.") var maximumBodyMB = 20
    @Option(
        name: .customLong("max-megapixels"), help: "The most pixels an uploaded image may declare, in megapixels.")
    var maximumMegapixels = 40
    @Option(help: "Photos processed at once (default: the core count).") var concurrency: Int?
    @Option(help: "Requests that may wait for a free slot; one more gets 503.") var queue = 32
    @Option(help: "Threads each photo's math may use (default: the cores shared among --concurrency).")
    var threads: Int?
    @Option(
        name: .customLong("tensor-cache-mb"),
        help:
            "The most megabytes of idle tensor buffers kept for reuse (the library keeps up to 1024 for training; serving photos of many sizes gains nothing from it, Docs/Serving.md)."
    )
    var tensorCacheMB = 0

    func run() async throws {
        guard (1...4096).contains(maximumBodyMB) else {
            throw ValidationError("--max-body-mb \(maximumBodyMB): expected 1...4096")
        }
        guard (1...Image.maximumPixelCount / 1_000_000).contains(maximumMegapixels) else {
            throw ValidationError(
                "--max-megapixels \(maximumMegapixels): expected 1...\(Image.maximumPixelCount / 1_000_000), the decoder's own limit"
            )
        }
        var configuration = ServiceConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.modelFile = model.map { URL(fileURLWithPath: $0) }
        configuration.minimumFaceSize = minimumFace
        configuration.maximumBodyBytes = maximumBodyMB << 20
        configuration.maximumPixelCount = maximumMegapixels * 1_000_000
        configuration.concurrency = concurrency ?? ProcessInfo.processInfo.activeProcessorCount
        configuration.queueLength = queue
        if let problem = configuration.problem { throw ValidationError(problem) }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let threads = threads ?? max(1, cores / configuration.concurrency)
        guard (1...cores).contains(threads) else {
            throw ValidationError("--threads \(threads): expected 1...\(cores), the cores of this machine")
        }
        ComputeThreads.set(threads)
        guard (0...1 << 20).contains(tensorCacheMB) else {
            throw ValidationError("--tensor-cache-mb \(tensorCacheMB): expected 0...1048576")
        }
        BufferCache.capacityBytes = tensorCacheMB << 20
        var logger = Logger(label: "keypoints-server")
        logger.logLevel =
            ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
        let service: LandmarkService
        do {
            service = try LandmarkService(configuration: configuration)
        } catch {
            throw ValidationError("\(error)")
        }
        logger.info(
            "serving \(service.modelName) on http://\(host):\(port)/",
            metadata: [
                "concurrency": "\(configuration.concurrency)", "queue": "\(configuration.queueLength)",
                "threads": "\(threads)", "tensor_cache_mb": "\(BufferCache.capacityBytes >> 20)"
            ])
        try await service.application(logger: logger).runService()
        logger.info("stopped")
    }
}
