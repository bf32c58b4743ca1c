import Dispatch
import Distributed
import Foundation
import NN
import Optim
import Tensor

/// `keypoints-bench allreduce`, under `mpirun -np N`: the time ``GradientAverager`` takes to
/// average a ResNet18's gradients (68 landmarks, 11.2 M parameters, 45 MB of Float32) over the
/// ranks, per step, for a few bucket sizes. Rank 0 prints the medians.
func allReduceBenchmark(steps: Int, bucketMegabytes: [Int]) throws {
    let group = try MPIProcessGroup.start()
    defer { group.finalize() }
    var generator = RandomGenerator(seed: 1)
    let model = NN.resnet18(inputChannels: 3, outputs: 136, using: &generator)
    let parameters = model.parameters()
    for parameter in parameters { parameter.grad = Tensor.ones(parameter.shape) }
    let megabytes = Double(parameters.reduce(0) { $0 + $1.value.count } * 4) / 1e6
    if group.isRoot {
        print(
            "ResNet18 gradients: \(parameters.count) tensors, \(String(format: "%.1f", megabytes)) MB; \(group.size) ranks; "
                + "median of \(steps) steps after one warm-up")
        print("bucket MB  buckets  ms per step  of which MPI_Allreduce  GB/s in MPI (2(N-1)/N x MB / time)")
    }
    for bucket in bucketMegabytes {
        let averager = GradientAverager(parameters, group: group, bucketBytes: bucket << 20)
        averager.average(weight: 1)  // warm-up: connections, buffers
        var times: [Double] = [], inMPI: [Double] = []
        for _ in 0..<steps {
            group.barrier()
            averager.resetTiming()
            let start = DispatchTime.now().uptimeNanoseconds
            averager.average(weight: 1 / Float(group.size))
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            inMPI.append(averager.communicationSeconds)
        }
        // The slowest rank's median (a step waits for the last one).
        func slowest(_ values: [Double]) -> Double {
            var mine = [Double](repeating: 0, count: group.size)
            mine[group.rank] = values.sorted()[values.count / 2]
            return group.sum(mine).max() ?? 0
        }
        let (step, mpi) = (slowest(times), slowest(inMPI))
        let moved = 2 * Double(group.size - 1) / Double(group.size) * megabytes / 1e3
        if group.isRoot {
            print(
                String(
                    format: "%9d  %7d  %11.1f  %21.1f  %5.2f", bucket, averager.buckets.count, step * 1e3, mpi * 1e3,
                    moved / mpi))
        }
    }
}
