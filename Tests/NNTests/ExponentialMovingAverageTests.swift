import Foundation
import NN
import Tensor
import TestSupport
import Testing

/// ExponentialMovingAverage against PyTorch's `AveragedModel` with `get_ema_multi_avg_fn` and
/// `use_buffers=True` (scripts/fixtures/nn_moving_average.py): the model's state after each of
/// four SGD steps goes in, and both averages (decay 0.75 and 0.3, torch.lerp's two branches)
/// must match PyTorch's after every step.
@Suite struct ExponentialMovingAverageTests {
    /// The fixture's Conv2d-BatchNorm2d-ReLU-Flatten-Linear model (its weights are loaded).
    static func model() -> Module {
        var generator = RandomGenerator(seed: 0)
        return Sequential([
            Conv2d(1, 2, kernelSize: (3, 3), using: &generator), BatchNorm2d(2), ReLU(), Flatten(),
            Linear(8, 3, using: &generator)
        ])
    }

    static func state(_ fixture: Fixture, _ prefix: String) throws -> [String: Tensor] {
        var state: [String: Tensor] = [:]
        for key in fixture.keys where key.hasPrefix(prefix) {
            state[String(key.dropFirst(prefix.count))] = try fixture.tensor(key)
        }
        return state
    }

    @Test(arguments: ["slow", "fast"])
    func matchesPyTorch(_ name: String) throws {
        let fixture = try Fixture.shared("nn_moving_average")
        let model = Self.model()
        let average = ExponentialMovingAverage(of: model, decay: Float(try fixture.number("decay.\(name)")))
        for step in 0..<4 {
            let current = try Self.state(fixture, "step\(step).model.")
            try model.loadStateDict(current)
            average.update(from: model)
            let expected = try Self.state(fixture, "step\(step).\(name).")
            #expect(average.updates == step + 1)
            #expect(average.state.map(\.name) == model.stateDict().map(\.name))
            for (key, tensor) in average.state {
                if key.hasSuffix("num_batches_tracked") {
                    // A count: copied from the model (PyTorch truncates its float average).
                    #expect(tensor.item == current[key]!.item, "\(key) after step \(step)")
                } else {
                    #expect(tensor.allClose(expected[key]!, rtol: 1e-6, atol: 1e-7), "\(key) after step \(step)")
                }
            }
            if step == 0 {
                #expect(average.state.allSatisfy { $0.tensor == current[$0.name]! }, "the first update copies")
            }
        }
        // Copying the average into a model changes the model, not the average.
        let copy = Self.model()
        try average.copy(into: copy)
        for (key, tensor) in copy.stateDict() {
            #expect(tensor == average.state.first { $0.name == key }!.tensor, "\(key)")
        }
    }

    @Test func restoresAndRefusesWhatDoesNotFit() throws {
        let model = Self.model()
        let average = ExponentialMovingAverage(of: model, decay: 0.9)
        average.update(from: model)
        let saved = average.tensors
        let resumed = ExponentialMovingAverage(of: Self.model(), decay: 0.9)
        try resumed.restore(saved, updates: 7, source: "run/checkpoint.safetensors")
        #expect(resumed.updates == 7)
        #expect(resumed.state.allSatisfy { $0.tensor == saved[$0.name]! })

        var wrong = saved
        wrong["4.weight"] = Tensor.zeros([3, 9])
        wrong["extra"] = Tensor(1)
        let error = #expect(throws: StateDictError.self) {
            try resumed.restore(wrong, updates: 8, source: "run/checkpoint.safetensors")
        }
        #expect(error?.description.contains("run/checkpoint.safetensors") == true)
        #expect(
            error?.description.contains("4.weight: the model expects shape [3, 8], the weights have [3, 9]") == true)
        #expect(error?.unexpected == ["extra"])
        #expect(resumed.updates == 7, "a refused restore changes nothing")
    }
}
