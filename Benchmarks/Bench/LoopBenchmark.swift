import Dispatch
import Tensor

/// The cost of starting a parallel loop: two chunks of `microseconds` of arithmetic each, run
/// by `parallelFor` (the library's worker pool) and by `DispatchQueue.concurrentPerform`, after
/// a gap of `gap` microseconds on one thread (so the helpers have had time to go idle).
/// Ideal: one chunk's time.
struct LoopBenchmark {
    struct Row {
        var microseconds: Double
        var gap: Double
        var pool: Double
        var dispatch: Double
        var serial: Double
    }

    func run(chunkMicroseconds: [Double] = [10, 50, 200, 1000], gaps: [Double] = [0, 50, 500]) -> [Row] {
        ComputeThreads.set(2)
        let iterationsPerMicrosecond = calibrate()
        var rows: [Row] = []
        for microseconds in chunkMicroseconds {
            let work = Int(microseconds * iterationsPerMicrosecond)
            for gap in gaps {
                let idle = Int(gap * iterationsPerMicrosecond)
                let loops = Int(200_000 / (microseconds + gap)) + 10
                func timed(_ loop: () -> Void) -> Double {
                    var total = 0.0
                    for _ in 0..<loops {
                        spin(idle, slot: 4)
                        total += time(loop)
                    }
                    return total / Double(loops) * 1e6
                }
                let pool = timed { parallelFor(2) { spin(work, slot: $0) } }
                let dispatch = timed { DispatchQueue.concurrentPerform(iterations: 2) { spin(work, slot: $0) } }
                let serial = timed {
                    spin(work, slot: 0)
                    spin(work, slot: 1)
                }
                rows.append(Row(microseconds: microseconds, gap: gap, pool: pool, dispatch: dispatch, serial: serial))
            }
        }
        return rows
    }

    private func calibrate() -> Double {
        spin(1_000_000, slot: 0)
        return 10_000_000 / (time { spin(10_000_000, slot: 0) } * 1e6)
    }
}

/// Dependent multiply-adds on a slot of its own cache line (the compiler cannot skip them).
private func spin(_ iterations: Int, slot: Int) {
    var x = spinSlots.value[slot * 16]
    for _ in 0..<iterations { x = x * 1.0000001 + 1e-9 }
    spinSlots.value[slot * 16] = x
}

private let spinSlots: UncheckedSendable<UnsafeMutablePointer<Double>> = {
    let slots = UnsafeMutablePointer<Double>.allocate(capacity: 128)
    slots.initialize(repeating: 1, count: 128)
    return UncheckedSendable(slots)
}()
