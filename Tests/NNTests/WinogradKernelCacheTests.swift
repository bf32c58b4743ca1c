import NN
import Tensor
import Testing

/// A ``Conv2d`` in evaluation mode keeps Winograd's transformed kernels between calls; any
/// change of its weight (an optimizer step, loaded weights) must transform them again.
@Suite struct WinogradKernelCacheTests {
    /// 64 channels on a 7x7 map: 16 tiles, Winograd's method only with cached kernels.
    static func layer() -> (Conv2d, Tensor) {
        var generator = RandomGenerator(seed: 5)
        let conv = Conv2d(64, 64, kernelSize: 3, padding: 1, using: &generator)
        return (conv, Tensor.randomNormal([1, 64, 7, 7], using: &generator))
    }

    /// The layer's output computed without any cache.
    static func reference(_ conv: Conv2d, _ x: Tensor, _ algorithm: ConvolutionAlgorithm) -> Tensor {
        conv2d(
            x, weight: conv.weight.value, bias: conv.bias?.value, stride: (1, 1), padding: (1, 1), dilation: (1, 1),
            activation: .identity, algorithm: algorithm)
    }

    @Test func cachedKernelsGiveTheUncachedOutput() {
        let (conv, x) = Self.layer()
        conv.eval()
        let first = withoutGradients { conv(x) }, second = withoutGradients { conv(x) }
        #expect(conv.kernelCache.transforms == 1)
        #expect(first == Self.reference(conv, x, .winograd) && second == first)
        #expect(first.allClose(Self.reference(conv, x, .im2col), rtol: 1e-4, atol: 1e-5))
    }

    /// One layer called from 8 tasks at once (a shared model): its kernels are transformed
    /// once, and every task gets the output of a call on its own.
    @Test func sharedLayerTransformsOnceAndGivesEveryTaskTheSerialOutput() async {
        let (conv, x) = Self.layer()
        conv.eval()
        let layer = UncheckedSendable(conv)
        let outputs = await withTaskGroup(of: Tensor.self) { group in
            for _ in 0..<8 { group.addTask { withoutGradients { layer.value(x) } } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(conv.kernelCache.transforms == 1)
        let reference = Self.reference(conv, x, .winograd)
        #expect(outputs.count == 8 && outputs.allSatisfy { $0 == reference })
    }

    @Test func changedWeightsAreTransformedAgain() {
        let (conv, x) = Self.layer()
        conv.eval()
        let before = withoutGradients { conv(x) }
        conv.weight.update { $0[0] += 0.5 }
        let afterUpdate = withoutGradients { conv(x) }
        #expect(conv.kernelCache.transforms == 2)
        #expect(afterUpdate != before && afterUpdate == Self.reference(conv, x, .winograd))

        var generator = RandomGenerator(seed: 6)
        conv.weight.assign(Tensor.randomNormal(conv.weight.shape, using: &generator) * 0.05)
        let afterAssign = withoutGradients { conv(x) }
        #expect(conv.kernelCache.transforms == 3)
        #expect(afterAssign == Self.reference(conv, x, .winograd))
    }

    @Test func trainingModeKeepsNoKernels() {
        let (conv, x) = Self.layer()
        conv.eval()
        _ = withoutGradients { conv(x) }
        conv.train()
        let training = conv(x)
        #expect(conv.kernelCache.transforms == 1)
        // In training the 16-tile layer runs im2col, and the weight is no longer shared with the cache.
        #expect(training.allClose(Self.reference(conv, x, .im2col), rtol: 1e-6, atol: 1e-6))
        conv.weight.update { $0[0] += 0.5 }
        conv.eval()
        _ = withoutGradients { conv(x) }
        #expect(conv.kernelCache.transforms == 2)
    }
}
