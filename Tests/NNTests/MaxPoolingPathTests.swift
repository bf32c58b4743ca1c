import NN
import Tensor
import Testing

/// The vector paths of max pooling (2x2 stride 2, 3x3 stride 2 with padding 0 or 1) against a
/// plain scan of every window, in ceil mode (partial last windows) and floor mode, on planes
/// wide enough for eight windows at a time, with ties and a NaN: the same values and the
/// gradient at the same positions (the first maximum in row-major order; a NaN wins).
@Suite struct MaxPoolingPathTests {
    /// Each window scanned row-major: the value and the flat input index of its maximum.
    static func reference(
        _ x: Tensor, kernel: Int, stride: Int, padding: Int, ceilMode: Bool
    ) -> (values: [Float], argmax: [Int]) {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let outH = pooledSize(h, kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode)
        let outW = pooledSize(w, kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode)
        let v = x.scalars
        var values: [Float] = [], argmax: [Int] = []
        for plane in 0..<(n * c) {
            for oy in 0..<outH {
                for ox in 0..<outW {
                    var best = -Float.infinity, bestIndex = -1
                    for y in (oy * stride - padding)..<(oy * stride - padding + kernel) where y >= 0 && y < h {
                        for x in (ox * stride - padding)..<(ox * stride - padding + kernel) where x >= 0 && x < w {
                            let index = plane * h * w + y * w + x
                            if bestIndex < 0 || v[index] > best || v[index].isNaN {
                                best = v[index]
                                bestIndex = index
                            }
                        }
                    }
                    values.append(best)
                    argmax.append(bestIndex)
                }
            }
        }
        return (values, argmax)
    }

    @Test(
        "vector paths choose as the plain scan does",
        arguments: [
            (2, 2, 0, true), (2, 2, 0, false), (3, 2, 0, true), (3, 2, 0, false), (3, 2, 1, true), (3, 2, 1, false)
        ])
    func vectorPathsMatchTheScan(kernel: Int, stride: Int, padding: Int, ceilMode: Bool) {
        for shape in [[2, 3, 13, 37], [1, 2, 22, 22], [1, 1, 9, 46], [1, 1, 4, 3]] {
            var generator = RandomGenerator(seed: 11)
            // Few distinct values, so that windows hold ties; one NaN.
            var values = Tensor.randomNormal(shape, using: &generator).scalars.map { ($0 * 2).rounded() }
            values[values.count / 3] = .nan
            var x = Tensor(shape: shape, values: values)
            x.requiresGrad = true
            let y = maxPool2d(
                x, kernel: (kernel, kernel), stride: (stride, stride), padding: (padding, padding), ceilMode: ceilMode)
            let expected = Self.reference(
                x.detached(), kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode)
            let label = "\(kernel)x\(kernel) stride \(stride) padding \(padding) ceil \(ceilMode) on \(shape)"
            let same = zip(y.scalars, expected.values).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
            #expect(y.scalars.count == expected.values.count && same, "\(label): values differ")
            // The gradient of sum(y * weights) lands on each window's chosen input.
            let weights = (0..<y.count).map { Float($0 % 5 + 1) }
            (y * Tensor(shape: y.shape, values: weights)).sum().backward()
            var gradient = [Float](repeating: 0, count: x.count)
            for (k, index) in expected.argmax.enumerated() { gradient[index] += weights[k] }
            #expect(x.grad!.scalars == gradient, "\(label): gradients differ")
            // Without gradients (inference) the values are the same.
            let inference = withoutGradients {
                maxPool2d(
                    x.detached(), kernel: (kernel, kernel), stride: (stride, stride), padding: (padding, padding),
                    ceilMode: ceilMode)
            }
            #expect(
                zip(inference.scalars, y.scalars).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) },
                "\(label): inference differs")
        }
    }
}
