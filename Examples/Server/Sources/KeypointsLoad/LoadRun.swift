import AsyncHTTPClient
import FaceKeypoints
import Foundation
import NIOCore

/// One measured run of the load, and the library's own rate.
struct LoadRun {
    var throughput: Double
    var p50: Double
    var p99: Double
    var errors: Int
    var badSent = 0
    var badRefused = 0

    /// `requests` photos posted by `clients` clients taking turns from one counter; with `bad`,
    /// one more client posts bad requests (that photo cut short, text, a bomb header) until the
    /// others finish.
    static func measure(
        client: HTTPClient, url: String, bodies: [Data], clients: Int, requests: Int, bad: Data?
    ) async throws -> LoadRun {
        let counter = Counter()
        let start = ContinuousClock.now
        let (latencies, errors, badCounts): ([Double], Int, (sent: Int, refused: Int)) =
            try await withThrowingTaskGroup(
                of: ([Double], Int, (Int, Int)).self
            ) { group in
                for _ in 0..<clients {
                    group.addTask {
                        var latencies: [Double] = [], errors = 0
                        while let index = await counter.next(below: requests) {
                            let sent = ContinuousClock.now
                            let status = try await post(
                                client: client, url: url, body: bodies[index % bodies.count], type: "image/jpeg")
                            latencies.append((ContinuousClock.now - sent).seconds)
                            if status != 200 { errors += 1 }
                        }
                        return (latencies, errors, (0, 0))
                    }
                }
                if let bad {
                    group.addTask {
                        let table: [(Data, String)] = [
                            (bad.prefix(bad.count / 3), "image/jpeg"), (Data("hello".utf8), "image/jpeg"),
                            (Data("P6 60000 60000 255\n".utf8), "image/x-portable-pixmap"), (bad, "text/plain"),
                            (Data(), "image/png")
                        ]
                        var sent = 0, refused = 0
                        while await !counter.isDone(requests) {
                            let (body, type) = table[sent % table.count]
                            let status = try await post(client: client, url: url, body: body, type: type)
                            sent += 1
                            if (400..<500).contains(status) { refused += 1 }
                            try await Task.sleep(for: .milliseconds(50))  // a trickle, not a flood
                        }
                        return ([], 0, (sent, refused))
                    }
                }
                var all: [Double] = [], errors = 0, badSent = 0, badRefused = 0
                for try await (latencies, clientErrors, badCounts) in group {
                    all += latencies
                    errors += clientErrors
                    badSent += badCounts.0
                    badRefused += badCounts.1
                }
                return (all, errors, (badSent, badRefused))
            }
        let elapsed = (ContinuousClock.now - start).seconds
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> Double {
            sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(p * Double(sorted.count)))]
        }
        return LoadRun(
            throughput: Double(latencies.count) / elapsed, p50: percentile(0.5), p99: percentile(0.99), errors: errors,
            badSent: badCounts.sent, badRefused: badCounts.refused)
    }

    /// POSTs `body` and returns the status (the body is read and dropped).
    static func post(client: HTTPClient, url: String, body: Data, type: String) async throws -> UInt {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: type)
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: .seconds(120))
        _ = try await response.body.collect(upTo: 64 << 20)
        return response.status.code
    }

    /// Photos per second of the library itself on `bodies`: decode and find the faces, one photo
    /// at a time, `photos` photos after one round of warm-up.
    static func libraryRate(bodies: [Data], photos: Int) throws -> Double {
        let landmarker = try FaceLandmarker()
        for body in bodies { _ = try landmarker.faces(in: try Image(decoding: body)) }
        let start = ContinuousClock.now
        for index in 0..<photos { _ = try landmarker.faces(in: try Image(decoding: bodies[index % bodies.count])) }
        return Double(photos) / (ContinuousClock.now - start).seconds
    }
}

/// Hands out request numbers to the clients.
actor Counter {
    private var issued = 0
    private var finished = false

    func next(below limit: Int) -> Int? {
        guard issued < limit else {
            finished = true
            return nil
        }
        defer { issued += 1 }
        return issued
    }

    func isDone(_ limit: Int) -> Bool { finished || issued >= limit }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
