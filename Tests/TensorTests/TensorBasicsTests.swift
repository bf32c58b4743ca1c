import Tensor
import TestSupport
import Testing

@Suite struct TensorBasicsTests {
    @Test func creationAndShape() {
        let m = Tensor([[1, 2, 3], [4, 5, 6]])
        #expect(m.shape == [2, 3])
        #expect(m[1, 2] == 6)
        #expect(Tensor.zeros([2, 2]).scalars == [0, 0, 0, 0])
        #expect(Tensor.full([3], 7).scalars == [7, 7, 7])
        #expect(Tensor.arange(0, 5).scalars == [0, 1, 2, 3, 4])
        #expect(Tensor.arange(1, 2, step: 0.25).scalars == [1, 1.25, 1.5, 1.75])
        #expect(Tensor.linspace(0, 1, count: 3).scalars == [0, 0.5, 1])
        #expect(Tensor(3).isScalar && Tensor(3).item == 3)
        #expect(Tensor([[[1], [2]]]).shape == [1, 2, 1])
    }

    @Test func storageIsSixtyFourByteAligned() {
        for n in [1, 3, 17, 1000] {
            let t = Tensor.zeros([n])
            t.withUnsafeBufferPointer { #expect(UInt(bitPattern: $0.baseAddress!) % 64 == 0) }
        }
    }

    @Test func copyOnWrite() {
        let a = Tensor([1, 2, 3])
        var b = a
        b[0] = 10
        #expect(a.scalars == [1, 2, 3])
        #expect(b.scalars == [10, 2, 3])
        var c = a.reshaped([3, 1])
        c.withUnsafeMutableBufferPointer { $0[1] = 20 }
        #expect(a.scalars == [1, 2, 3])
    }

    @Test func broadcastingRules() {
        #expect(broadcastShape([2, 1, 4], [3, 1], operation: "t") == [2, 3, 4])
        #expect(broadcastShape([], [5], operation: "t") == [5])
        #expect(broadcastShape([5, 1], [1, 6], operation: "t") == [5, 6])
        let column = Tensor([[1], [2]]), row = Tensor([10, 20, 30])
        #expect((column + row).scalars == [11, 21, 31, 12, 22, 32])
        #expect((row * 2).scalars == [20, 40, 60])
        #expect((1 - row).scalars == [-9, -19, -29])
    }

    @Test func seededRandomIsReproducible() {
        var g1 = RandomGenerator(seed: 42), g2 = RandomGenerator(seed: 42), g3 = RandomGenerator(seed: 43)
        let a = Tensor.randomNormal([1000], using: &g1)
        let b = Tensor.randomNormal([1000], using: &g2)
        let c = Tensor.randomNormal([1000], using: &g3)
        #expect(a == b)
        #expect(a != c)
        #expect(abs(a.mean().item) < 0.1)
        #expect(abs(a.variance().item - 1) < 0.1)
        let u = Tensor.randomUniform([1000], low: 2, high: 3, using: &g1)
        #expect(u.min().item >= 2 && u.max().item < 3)
    }

    @Test func printsLikePyTorch() {
        #expect(Tensor([[1, 2], [3, 4]]).description == "tensor([[1., 2.],\n        [3., 4.]])")
        #expect(Tensor([0.5, -1.25]).description == "tensor([ 0.5000, -1.2500])")
        #expect(Tensor(2).description == "tensor(2.)")
        var x = Tensor([1])
        x.requiresGrad = true
        #expect(x.description == "tensor([1.], requires_grad=True)")
        let large = Tensor.arange(0, 2000)
        #expect(large.description == "tensor([   0.,    1.,    2., ..., 1997., 1998., 1999.])")
    }

    @Test func allClose() {
        #expect(Tensor([1, 2]).allClose(Tensor([1, 2.000001])))
        #expect(!Tensor([1, 2]).allClose(Tensor([1, 2.1])))
        #expect(!Tensor([1, 2]).allClose(Tensor([[1, 2]])))
        #expect(!Tensor([.nan]).allClose(Tensor([.nan])))
        #expect(Tensor([1, 2, 3]).greater(Tensor(2)).scalars == [0, 0, 1])
    }
}

@Suite struct AutogradTests {
    @Test func gradientsAccumulateUntilZeroed() {
        let p = Parameter(Tensor([1, 2, 3]))
        (p.value * p.value).sum().backward()
        #expect(p.grad?.scalars == [2, 4, 6])
        (p.value * 3).sum().backward()
        #expect(p.grad?.scalars == [5, 7, 9])
        p.zeroGrad()
        #expect(p.grad == nil)
    }

    @Test func sharedSubexpressionsSumTheirGradients() {
        var x = Tensor([2])
        x.requiresGrad = true
        let y = x * x
        (y + y * x).sum().backward()  // d/dx (x^2 + x^3) = 2x + 3x^2
        #expect(x.grad?.scalars == [16])
    }

    @Test func noGradientModeRecordsNothing() {
        let p = Parameter(Tensor([1, 2]))
        let y = withoutGradients { p.value * 2 }
        #expect(!y.requiresGrad)
        #expect((p.value * 2).requiresGrad)
        #expect(!p.value.detached().requiresGrad)
    }

    @Test func frozenParametersGetNoGradient() {
        let p = Parameter(Tensor([1, 2]), requiresGrad: false)
        let q = Parameter(Tensor([3, 4]))
        (p.value * q.value).sum().backward()
        #expect(p.grad == nil)
        #expect(q.grad?.scalars == [1, 2])
    }

    @Test func parameterUpdateKeepsGraphIdentity() {
        let p = Parameter(Tensor([1, 2]))
        p.update { $0[0] = 5 }
        (p.value * p.value).sum().backward()
        #expect(p.value.scalars == [5, 2])
        #expect(p.grad?.scalars == [10, 4])
    }

    /// The documented way to write a new differentiable operation outside the package.
    static func cube(_ x: Tensor) -> Tensor {
        let y = withoutGradients { x * x * x }
        return Tensor.recording(y, inputs: [x]) { gradOutput in [gradOutput * 3 * x * x] }
    }

    @Test func customOperationFromOutsideThePackage() {
        var x = Tensor([1, -2, 3])
        x.requiresGrad = true
        Self.cube(x).sum().backward()
        #expect(x.grad?.scalars == [3, 12, 27])
        let check = checkGradients(of: { Self.cube($0[0]) }, at: [Tensor([0.5, -1, 2])], step: 1e-3)
        #expect(check.maxError < 1e-2, "\(check)")
    }

    @Test func gradientCheckerCatchesAWrongBackward() {
        func wrong(_ x: Tensor) -> Tensor {
            let y = withoutGradients { x * x }
            return Tensor.recording(y, inputs: [x]) { g in [g * x] }  // should be 2x
        }
        let check = checkGradients(of: { wrong($0[0]) }, at: [Tensor([1, 2, 3])])
        #expect(check.maxError > 0.3)
    }

    /// Small gradients are checked relative to their size: a backward 10 times too small for
    /// one element only is an error of 0.9, though the difference (0.018) is tiny next to the
    /// input's largest gradient (6).
    @Test func gradientCheckerCatchesAWrongSmallGradient() {
        func wrong(_ x: Tensor) -> Tensor {
            let y = withoutGradients { x * x }
            return Tensor.recording(y, inputs: [x]) { g in [g * 2 * x * Tensor([1, 1, 1, 0.1])] }
        }
        let check = checkGradients(of: { wrong($0[0]) }, at: [Tensor([1, 2, 3, 0.01])], step: 1e-3)
        #expect(check.maxError > 0.8 && check.worstElement == 3, "\(check)")
    }

    @Test func deepChainsDoNotOverflowTheStack() {
        var x = Tensor([1])
        x.requiresGrad = true
        var y = x
        for _ in 0..<20_000 { y = y * 1.0001 }
        y.sum().backward()
        #expect(abs(x.grad!.item - 7.3891) < 0.01)  // 1.0001^20000 ≈ e^2
    }
}

@Suite struct ShapeErrorTests {
    @Test func mismatchedBroadcastNamesOperationAndShapes() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]) + Tensor.zeros([4])
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("add: shapes [2, 3] and [4] cannot be broadcast together"))
        }
    }

    @Test func matmulInnerDimensions() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).matmul(Tensor.zeros([4, 5]))
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("matmul: inner dimensions differ: [2, 3] x [4, 5]"))
        }
    }

    @Test func reshapeCount() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).reshaped([4, 2])
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("reshape: cannot reshape [2, 3] (6 elements) to [4, 2]"))
        }
    }
}
