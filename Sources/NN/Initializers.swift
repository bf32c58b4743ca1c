import Tensor

/// Weight initializers with PyTorch's definitions (`torch.nn.init`). Fans follow PyTorch:
/// for a weight `[out, in, k...]`, `fanIn = in * prod(k)` and `fanOut = out * prod(k)`.
public enum Initializer {
    /// Which fan scales the variance.
    public enum FanMode: Sendable {
        /// The weight's inputs per output, `in * prod(k)`: keeps the forward pass's variance
        /// (PyTorch's `fan_in`).
        case fanIn
        /// The weight's outputs per input, `out * prod(k)`: keeps the backward pass's variance
        /// (PyTorch's `fan_out`).
        case fanOut
    }

    /// `(fanIn, fanOut)` of a weight shape.
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        precondition(shape.count >= 2, "Initializer.fans: expected a weight of rank 2 or more, got \(shape)")
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// `U(-bound, bound)` with `bound = gain * sqrt(3 / fan)` and the leaky-ReLU gain
    /// `sqrt(2 / (1 + a²))`. PyTorch's default for `Conv2d` and `Linear` is `a = sqrt(5)`,
    /// which gives `bound = 1 / sqrt(fanIn)`.
    public static func kaimingUniform(
        _ shape: [Int], a: Float = Float(5).squareRoot(), mode: FanMode = .fanIn,
        using generator: inout RandomGenerator
    ) -> Tensor {
        let fan = mode == .fanIn ? fans(shape).fanIn : fans(shape).fanOut
        let gain = (2 / (1 + a * a)).squareRoot()
        let bound = gain * (3 / Float(fan)).squareRoot()
        return Tensor.randomUniform(shape, low: -bound, high: bound, using: &generator)
    }

    /// `N(0, std²)` with `std = gain / sqrt(fan)`; torchvision's ResNet uses
    /// `mode: .fanOut` with the ReLU gain `sqrt(2)` (`a = 0`).
    public static func kaimingNormal(
        _ shape: [Int], a: Float = 0, mode: FanMode = .fanIn, using generator: inout RandomGenerator
    ) -> Tensor {
        let fan = mode == .fanIn ? fans(shape).fanIn : fans(shape).fanOut
        let std = (2 / (1 + a * a)).squareRoot() / Float(fan).squareRoot()
        return Tensor.randomNormal(shape, std: std, using: &generator)
    }

    /// `U(-b, b)` with `b = gain * sqrt(6 / (fanIn + fanOut))`.
    public static func xavierUniform(_ shape: [Int], gain: Float = 1, using generator: inout RandomGenerator) -> Tensor
    {
        let (fanIn, fanOut) = fans(shape)
        let bound = gain * (6 / Float(fanIn + fanOut)).squareRoot()
        return Tensor.randomUniform(shape, low: -bound, high: bound, using: &generator)
    }

    /// `N(0, std²)` with `std = gain * sqrt(2 / (fanIn + fanOut))`.
    public static func xavierNormal(_ shape: [Int], gain: Float = 1, using generator: inout RandomGenerator) -> Tensor {
        let (fanIn, fanOut) = fans(shape)
        return Tensor.randomNormal(shape, std: gain * (2 / Float(fanIn + fanOut)).squareRoot(), using: &generator)
    }

    /// PyTorch's default bias: `U(-1/sqrt(fanIn), 1/sqrt(fanIn))` for the given weight shape.
    public static func defaultBias(count: Int, weightShape: [Int], using generator: inout RandomGenerator) -> Tensor {
        let bound = 1 / Float(fans(weightShape).fanIn).squareRoot()
        return Tensor.randomUniform([count], low: -bound, high: bound, using: &generator)
    }
}
