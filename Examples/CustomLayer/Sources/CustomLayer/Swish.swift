import FaceKeypoints

/// Swish (SiLU), `x * sigmoid(beta * x)` with a learnable `beta`, built from existing
/// differentiable operations: autograd derives its backward pass.
///
/// Shape: unchanged.
final class Swish: Module {
    let beta = Parameter(Tensor([1]))

    override func forward(_ input: Tensor) -> Tensor {
        input * (input * beta.value).sigmoid()
    }
}
