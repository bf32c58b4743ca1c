import Synchronization
import Testing

@testable import Tensor

/// `parallelFor` and the worker pool behind it: every chunk runs exactly once, loops started
/// inside loops or from two threads at once run inline, and the helpers really run beside
/// the caller.
@Suite struct ParallelLoopTests {
    @Test func everyChunkRunsExactlyOnce() {
        for chunks in [0, 1, 2, 3, 7, 64, 1000] {
            for _ in 0..<200 {
                var runs = [Int](repeating: 0, count: chunks)
                runs.withUnsafeMutableBufferPointer { buffer in
                    let counts = UncheckedSendable(buffer.baseAddress!)
                    parallelFor(chunks) { counts.value[$0] += 1 }
                }
                #expect(runs.allSatisfy { $0 == 1 }, "\(chunks) chunks")
            }
        }
    }

    @Test func loopsInsideLoopsRunInline() {
        var runs = [Int](repeating: 0, count: 16 * 16)
        runs.withUnsafeMutableBufferPointer { buffer in
            let counts = UncheckedSendable(buffer.baseAddress!)
            parallelFor(16) { outer in
                parallelFor(16) { inner in counts.value[outer * 16 + inner] += 1 }
            }
        }
        #expect(runs.allSatisfy { $0 == 1 })
    }

    @Test func helpersRunBesideTheCaller() {
        // Chunk 0 waits for chunk 1: it can only finish if another thread runs chunk 1.
        let pool = WorkerPool()
        let other = Atomic<Bool>(false), sawOther = Atomic<Bool>(false)
        let ran = pool.run(2, helpers: 1) { chunk in
            if chunk == 1 {
                other.store(true, ordering: .releasing)
            } else {
                let clock = ContinuousClock(), start = clock.now
                while !other.load(ordering: .acquiring) && clock.now - start < .seconds(10) {}
                sawOther.store(other.load(ordering: .acquiring), ordering: .relaxed)
            }
        }
        let concurrent = sawOther.load(ordering: .relaxed)
        #expect(ran)
        #expect(concurrent, "chunk 1 did not run while chunk 0 waited")
    }

    @Test func aBusyPoolRefusesASecondLoop() {
        let pool = WorkerPool()
        let nested = Atomic<Int>(0)
        _ = pool.run(4, helpers: 1) { _ in
            if !pool.run(2, helpers: 1, { _ in }) { nested.add(1, ordering: .relaxed) }
        }
        let refused = nested.load(ordering: .relaxed)
        #expect(refused == 4)
    }

    @Test func twoCallersAtOnceBothFinishEveryChunk() async {
        let pool = WorkerPool()
        var loopsInPool = 0
        await withTaskGroup(of: (correct: Bool, inPool: Int).self) { group in
            for _ in 0..<2 {
                group.addTask {
                    var inPool = 0
                    for _ in 0..<500 {
                        var runs = [Int](repeating: 0, count: 33)
                        runs.withUnsafeMutableBufferPointer { buffer in
                            let counts = UncheckedSendable(buffer.baseAddress!)
                            let body: (Int) -> Void = { counts.value[$0] += 1 }
                            if pool.run(33, helpers: 1, body) {
                                inPool += 1
                            } else {
                                for chunk in 0..<33 { body(chunk) }
                            }
                        }
                        if !runs.allSatisfy({ $0 == 1 }) { return (false, inPool) }
                    }
                    return (true, inPool)
                }
            }
            for await result in group {
                #expect(result.correct)
                loopsInPool += result.inPool
            }
        }
        #expect(loopsInPool > 0)
    }
}
