import ArgumentParser
import AsyncHTTPClient
import FaceKeypoints
import Foundation
import NIOCore

/// `keypoints-load`: many clients posting real photos to a running `keypoints-server`, and the
/// library's own rate on the same photos in this process, printed as one Markdown table.
///
/// For each client count: `--requests` photos in all (the clients take turns from one counter),
/// each client waiting for its answer before sending the next; throughput, p50 and p99
/// latency, non-200 answers, and the server's resident memory and idle tensor buffers before and
/// after (its `/metrics`). With `--bad-inputs`, one more client sends bad requests throughout
/// (each must get a 4xx).
@main
struct KeypointsLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keypoints-load",
        abstract: "Load a keypoints-server with real photos and compare with the library.")

    @Option(help: "The server.") var url = "http://127.0.0.1:8080"
    @Argument(help: "The photos to send: JPEG files, or folders whose .jpg files are all sent.")
    var photos: [String] = ["../shared/data/dlib_examples"]
    @Option(help: "Client counts, comma-separated.") var clients = "1,2,4,8"
    @Option(help: "Requests per client count.") var requests = 2000
    @Option(name: .customLong("warm-up"), help: "Rounds of every photo sent first, not measured.") var warmUp = 2
    @Option(name: .customLong("library-photos"), help: "Photos the in-process library loop runs (0: skip it).")
    var libraryPhotos = 200
    @Flag(name: .customLong("bad-inputs"), help: "Also send bad requests throughout; each must be refused with a 4xx.")
    var badInputs = false

    func run() async throws {
        var files: [URL] = []
        for path in photos {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw ValidationError("\(path): no such photo or folder")
            }
            let url = URL(fileURLWithPath: path)
            files +=
                isFolder.boolValue
                ? try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".jpg") }.sorted().map
                {
                    url.appendingPathComponent($0)
                } : [url]
        }
        guard !files.isEmpty else { throw ValidationError("no .jpg photos in \(photos.joined(separator: " "))") }
        let bodies = try files.map { try Data(contentsOf: $0) }
        let counts = try clients.split(separator: ",").map { text in
            guard let count = Int(text), (1...256).contains(count) else {
                throw ValidationError("--clients: '\(text)' is not a count in 1...256")
            }
            return count
        }
        guard requests > 0 else { throw ValidationError("--requests must be positive") }
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        print(
            "CPU: AVX-512 \(cpu.contains("avx512f") ? "yes" : "no"), \(ProcessInfo.processInfo.activeProcessorCount) cores; \(bodies.count) photos: \(files.map(\.lastPathComponent).joined(separator: " "))"
        )

        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 512
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            try await load(client: client, bodies: bodies, counts: counts)
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()

        if libraryPhotos > 0 {
            let rate = try LoadRun.libraryRate(bodies: bodies, photos: libraryPhotos)
            print(
                "\nthe library in this process (FaceLandmarker, decode and faces, one photo at a time, \(ComputeThreads.count) threads): "
                    + String(format: "%.1f photos/s over %d photos", rate, libraryPhotos))
        }
    }

    /// The table: one row per client count.
    private func load(client: HTTPClient, bodies: [Data], counts: [Int]) async throws {
        var failures = 0
        let endpoint = url + "/v1/landmarks"
        _ = try await LoadRun.measure(
            client: client, url: endpoint, bodies: bodies, clients: 2, requests: warmUp * bodies.count, bad: nil)

        print(
            "\n| clients | requests | errors | photos/s | p50 ms | p99 ms | RSS MB before → after | of which idle tensor buffers MB | bad inputs (4xx of sent) |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for count in counts {
            let before = try await ServerMemory.read(client: client, url: url)
            let result = try await LoadRun.measure(
                client: client, url: endpoint, bodies: bodies, clients: count, requests: requests,
                bad: badInputs ? bodies[0] : nil)
            let after = try await ServerMemory.read(client: client, url: url)
            print(
                "| \(count) | \(requests) | \(result.errors) | \(String(format: "%.1f", result.throughput)) | "
                    + "\(String(format: "%.0f", result.p50 * 1000)) | \(String(format: "%.0f", result.p99 * 1000)) | "
                    + "\(before.residentText) → \(after.residentText) | \(before.cacheText) → \(after.cacheText) | "
                    + (badInputs ? "\(result.badRefused) of \(result.badSent)" : "-") + " |")
            failures += result.errors + result.badSent - result.badRefused
        }
        // Checked after the table is printed, so a failed run still shows its figures.
        if failures > 0 { throw LoadFailure(count: failures) }
    }
}

/// Good photos that did not get 200, or bad requests that did not get a 4xx.
struct LoadFailure: Error, CustomStringConvertible {
    let count: Int
    var description: String { "\(count) requests were not answered as they should be (see the table)" }
}
