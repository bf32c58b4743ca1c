import Foundation
import Tensor

/// Batch normalization over channels, as `torch.nn.BatchNorm2d`: batch statistics in
/// training (updating the running ones with `momentum`), running statistics in evaluation.
/// Weight starts at 1 and bias at 0. State dict names: `weight`, `bias`, `running_mean`,
/// `running_var`, `num_batches_tracked`.
///
/// Shape: `[N, C, H, W]` -> unchanged.
public final class BatchNorm2d: Module {
    /// The scale of each channel (`weight`), shape `[features]`, starting at 1.
    public let weight: Parameter
    /// The shift of each channel (`bias`), shape `[features]`, starting at 0.
    public let bias: Parameter
    /// The running mean of each channel (`running_mean`), shape `[features]`, starting at 0; used in evaluation.
    public let runningMean: Buffer
    /// The running unbiased variance of each channel (`running_var`), shape `[features]`, starting
    /// at 1; used in evaluation.
    public let runningVariance: Buffer
    /// Batches seen in training, as PyTorch counts them (a scalar).
    public let batchesTracked: Buffer
    /// The channel count `C`, PyTorch's `num_features`.
    public let features: Int
    /// PyTorch's `eps`, added to the variance before the square root, and `momentum`, the weight
    /// of each batch's statistics in the running ones.
    public let epsilon, momentum: Float
    /// The ranks whose batches share the statistics in training (`torch.nn.SyncBatchNorm`), or
    /// nil for this process's batch alone (the default, as PyTorch's `DistributedDataParallel`).
    /// Set it on every BatchNorm of a model with ``Module/synchronizeBatchNorm(over:)``.
    public var synchronization: (any ProcessGroup)?

    /// Creates a batch norm over `features` channels, with PyTorch's defaults `eps = 1e-5` and
    /// `momentum = 0.1`.
    public init(_ features: Int, epsilon: Float = 1e-5, momentum: Float = 0.1) {
        precondition(features > 0, "BatchNorm2d: feature count must be positive, got \(features)")
        (self.features, self.epsilon, self.momentum) = (features, epsilon, momentum)
        weight = Parameter(Tensor.ones([features]))
        bias = Parameter(Tensor.zeros([features]))
        runningMean = Buffer(Tensor.zeros([features]))
        runningVariance = Buffer(Tensor.ones([features]))
        batchesTracked = Buffer(Tensor(0))
    }

    public override var namedOwnBuffers: [(name: String, buffer: Buffer)] {
        [("running_mean", runningMean), ("running_var", runningVariance), ("num_batches_tracked", batchesTracked)]
    }

    public override func forward(_ input: Tensor) -> Tensor {
        forward(input, adding: nil, activation: .identity)
    }

    /// `activation(bn(x) + residual)` in one pass, exactly as the unfused composition
    /// (a ResNet block's tail: `bn2(x, adding: identity, activation: .relu)`).
    /// Shape: input and residual `[N, C, H, W]` -> unchanged.
    public func forward(_ input: Tensor, adding residual: Tensor? = nil, activation: FusedActivation) -> Tensor {
        precondition(
            input.rank == 4 && input.shape[1] == features,
            "BatchNorm2d(\(features)): expected [N, \(features), H, W], got \(input.shape)")
        if isTraining {
            batchesTracked.value = Tensor(batchesTracked.value.item + 1)
            return batchNorm(
                input, weight: weight.value, bias: bias.value, runningMean: &runningMean.value,
                runningVariance: &runningVariance.value, training: true, momentum: momentum, epsilon: epsilon,
                adding: residual, activation: activation, synchronizing: synchronization)
        }
        // Evaluation only reads the statistics: local copies (sharing their storage), so that calls from several
        // threads at once never write the buffers back (an inout access to them would).
        var mean = runningMean.value, variance = runningVariance.value
        return batchNorm(
            input, weight: weight.value, bias: bias.value, runningMean: &mean, runningVariance: &variance,
            training: false,
            momentum: momentum, epsilon: epsilon, adding: residual, activation: activation,
            synchronizing: synchronization)
    }

    /// Calls ``forward(_:adding:activation:)``.
    public func callAsFunction(_ input: Tensor, adding residual: Tensor? = nil, activation: FusedActivation) -> Tensor {
        forward(input, adding: residual, activation: activation)
    }

    public override var extraDescription: String {
        "\(features), eps=\(formatPyTorchFloat(epsilon)), momentum=\(formatPyTorchFloat(momentum)), affine=True, bias=True, track_running_stats=True"
    }
}

/// Formats a float as Python's `repr` does for the usual hyper-parameters (`1e-05`, `0.1`).
func formatPyTorchFloat(_ value: Float) -> String {
    let shortest = Double(String(value)) ?? Double(value)
    return shortest != 0 && Swift.abs(shortest) < 1e-4 ? String(format: "%g", shortest) : String(shortest)
}
