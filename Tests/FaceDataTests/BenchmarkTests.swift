import Foundation
import TestSupport
import Testing

@testable import FaceData

/// Throughput of the 300-W pipeline. Off by default; run with
/// `FACEDATA_BENCHMARK=1 swift test -c release --filter FaceDataTests.BenchmarkTests`.
@Suite("Loading throughput", .enabled(if: ProcessInfo.processInfo.environment["FACEDATA_BENCHMARK"] != nil))
struct BenchmarkTests {
    @Test("cache build and augmented 224x224 samples per second, one worker")
    func throughput() throws {
        let faceCount = Int(ProcessInfo.processInfo.environment["FACEDATA_BENCHMARK_FACES"] ?? "") ?? 120
        var skipped: [SkippedSample] = []
        let faces = Array(try FaceAnnotations.imglab(SharedData.labels, skipped: &skipped).prefix(faceCount))
        var config = FaceDatasetConfiguration.ibug()
        config.augmentation = .standard
        let clock = ContinuousClock()
        var dataset: FaceDataset?
        let build = try clock.measure { dataset = try FaceDataset(faces: faces, configuration: config) }
        let cached = try #require(dataset)
        let bytes = cached.cache!.map(\.byteCount).reduce(0, +)
        let loader = DataLoader(dataset: cached, batchSize: 16, seed: 1, workers: 1, prefetch: 3)
        var n = 0
        let epoch = try clock.measure { try loader.forEachBatch(epoch: 0) { n += $0.count } }
        config.cache = .none
        let lazy = try FaceDataset(faces: Array(faces.prefix(32)), configuration: config)
        let lazyLoader = DataLoader(dataset: lazy, batchSize: 16, seed: 1, workers: 0)
        let lazyEpoch = try clock.measure { try lazyLoader.forEachBatch(epoch: 0) { _ in } }
        func seconds(_ d: Duration) -> Double {
            Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }
        print(
            """
            FaceData benchmark: \(faces.count) faces
              cache build: \(seconds(build)) s (\(Double(faces.count) / seconds(build)) faces/s, all cores), \(bytes / 1_000_000) MB
              cached samples: \(Double(n) / seconds(epoch)) samples/s (one worker, augmented, 224x224)
              uncached samples: \(32 / seconds(lazyEpoch)) samples/s (caller thread, decode + augment)
            """)
        #expect(n == faces.count)
    }
}
