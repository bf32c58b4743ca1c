import FaceKeypoints
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LandmarkService
import NIOCore
import Testing

/// What an operator relies on: the OpenAPI document matches what the service answers, the
/// metrics count what happened, and a full queue answers 503 at once.
@Suite struct OperationsTests {
    @Test func theDocumentDescribesTheRealResponses() async throws {
        let document = try await OpenAPIDocument(Fixtures.send(.get, "/openapi.yaml", headers: [:]).body)
        let photo = try await Fixtures.send(body: try Fixtures.photo())
        let problems = try document.problems(photo.body, path: "/v1/landmarks", method: "post", status: 200)
        #expect(problems == [], "\(problems)")
        let health = try await Fixtures.send(.get, "/healthz", headers: [:])
        #expect(try document.problems(health.body, path: "/healthz", method: "get", status: 200) == [])
        for bad in try BadInputTests.cases() where bad.uri.hasPrefix("/v1/landmarks") {
            let answer = try await Fixtures.send(
                bad.method, bad.uri, headers: bad.headers, body: bad.body)
            #expect(
                try document.problems(answer.body, path: "/v1/landmarks", method: "post", status: answer.status.code)
                    == [],
                "\(bad.name)")
        }
        // The document is checked too: a response it does not allow is caught.
        #expect(
            try document.problems(Data(#"{"faces": 3}"#.utf8), path: "/v1/landmarks", method: "post", status: 200).count
                == 5)
    }

    @Test func metricsCountRequestsErrorsFacesAndLatency() async throws {
        let service = try Fixtures.service { _ in }
        let application = Application(router: service.router())
        let photo = try Fixtures.photo()
        let text: String = try await application.test(.router) { client in
            _ = try await client.execute(
                uri: "/v1/landmarks", method: .post, headers: [.contentType: "image/jpeg"],
                body: ByteBuffer(bytes: photo))
            _ = try await client.execute(
                uri: "/v1/landmarks", method: .post, headers: [.contentType: "image/jpeg"],
                body: ByteBuffer(string: "nope"))
            _ = try await client.execute(uri: "/nowhere", method: .get)
            return try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
        }
        let faces = try await JSONDecoder().decode(PhotoLandmarks.self, from: Fixtures.send(body: photo).body).faces
            .count
        for line in [
            #"http_requests_total{route="/v1/landmarks",status="200"} 1"#,
            #"http_requests_total{route="/v1/landmarks",status="415"} 1"#,
            #"http_requests_total{route="unknown",status="404"} 1"#,
            #"keypoints_errors_total{kind="bad_image"} 1"#,
            #"keypoints_errors_total{kind="route"} 1"#,
            "keypoints_faces_total \(faces)",
            #"http_request_duration_seconds_count{route="/v1/landmarks"} 2"#,
            "keypoints_photos_running 0.0",
            "keypoints_requests_queued 0.0"
        ] {
            #expect(text.contains(line), "missing \(line) in\n\(text)")
        }
        // The memory gauges are read at the scrape: a live process is resident, and the photo's
        // freed tensor buffers are part of it.
        func gauge(_ name: String) -> Double? {
            text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap {
                Double($0.split(separator: " ")[1])
            }
        }
        let resident = try #require(gauge("process_resident_memory_bytes"), "no resident memory in\n\(text)")
        let cache = try #require(gauge("keypoints_tensor_cache_bytes"), "no tensor cache in\n\(text)")
        #expect(resident > 10e6)
        #expect(cache >= 0 && cache < resident)
    }

    @Test func aFullQueueAnswers503WithRetryAfterAndTheRestSucceed() async throws {
        let service = try Fixtures.service {
            $0.concurrency = 1
            $0.queueLength = 1
        }
        let application = Application(router: service.router())
        let photo = try Fixtures.photo()
        let statuses: [(HTTPResponse.Status, String?)] = try await application.test(.router) { client in
            try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?).self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        try await client.execute(
                            uri: "/v1/landmarks", method: .post, headers: [.contentType: "image/jpeg"],
                            body: ByteBuffer(bytes: photo)
                        ) { ($0.status, $0.headers[.retryAfter]) }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        let ok = statuses.filter { $0.0 == .ok }.count
        let refused = statuses.filter { $0.0 == .serviceUnavailable }
        #expect(ok >= 2 && ok + refused.count == 6, "\(statuses)")
        #expect(!refused.isEmpty && refused.allSatisfy { $0.1 == "1" }, "\(statuses)")
    }

    @Test func theLimiterRunsAtMostItsSlotsQueuesTheNextAndRefusesTheRest() async throws {
        let limiter = InferenceLimiter(concurrency: 2, queueLength: 2)
        let gate = Gate()
        // Two run and wait at the gate, two queue, the fifth is refused.
        var tasks: [Task<Int, any Error>] = []
        for index in 0..<4 {
            tasks.append(
                Task {
                    try await limiter.run {
                        await gate.wait()
                        return index
                    }
                })
            while await limiter.running + limiter.queued < index + 1 { await Task.yield() }
        }
        let (running, queued) = (await limiter.running, await limiter.queued)
        #expect(running == 2 && queued == 2)
        await #expect(throws: InferenceLimiter.Refusal.self) { try await limiter.run { 5 } }
        await gate.open()
        var finished: [Int] = []
        for task in tasks { finished.append(try await task.value) }
        #expect(finished == [0, 1, 2, 3])
        let (runningAfter, queuedAfter) = (await limiter.running, await limiter.queued)
        #expect(runningAfter == 0 && queuedAfter == 0)
    }
}

/// Holds every waiter until opened.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in waiters { waiter.resume() }
        waiters.removeAll()
    }
}
