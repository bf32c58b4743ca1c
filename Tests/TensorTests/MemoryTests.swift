import Tensor
import Testing

/// Buffer reuse and the freeing of the autograd graph after backward.
@Suite struct MemoryTests {
    @Test func backwardFreesTheGraphUnlessRetained() {
        var x = Tensor([1, 2, 3])
        x.requiresGrad = true
        let y = (x * x).sum()
        y.backward(retainGraph: true)
        y.backward()
        #expect(x.grad!.scalars == [4, 8, 12])  // accumulated twice
    }

    @Test func secondBackwardThroughAFreedGraphStopsWithAMessage() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var x = Tensor([1, 2, 3])
            x.requiresGrad = true
            let y = (x * x).sum()
            y.backward()
            y.backward()
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("already freed by an earlier backward()") && message.contains("retainGraph: true"))
        }
    }

    @Test func parameterUpdateAfterBackwardDoesNotCopyTheWeights() {
        let p = Parameter(Tensor.ones([1000]))
        let loss = (p.value * p.value).sum()
        loss.backward()
        // The graph no longer holds the weights, so updating them in place needs no copy.
        var before: UnsafePointer<Float>? = nil
        p.value.withUnsafeBufferPointer { before = $0.baseAddress }
        p.update { $0[0] = 5 }
        var after: UnsafePointer<Float>? = nil
        p.value.withUnsafeBufferPointer { after = $0.baseAddress }
        #expect(before == after)
        withExtendedLifetime(loss) {}
    }
}
