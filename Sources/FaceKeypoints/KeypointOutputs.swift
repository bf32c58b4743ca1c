import NN
import Tensor

/// A keypoint network's output for a batch, typed by its head (``KeypointHead``): the
/// regression networks' coordinates or PIPNet's five maps, never one joined tensor split again.
public enum KeypointOutputs: Sendable {
    /// Two normalized coordinates per point, the input's edges at ±1 (FaceData's
    /// `TargetNormalization`).
    ///
    /// Shape: `[N, 2 points]`.
    case coordinates(Tensor)
    /// PIPNet's score and offset maps (NN's `PIPNet.maps(_:)`).
    case maps(PIPNetMaps)

    /// Model inputs mirrored left to right (each row's pixels reversed): the crop of the mirrored
    /// photo, without warping it again.
    ///
    /// Shape: `[N, C, H, W]` -> `[N, C, H, W]`.
    public static func mirroredInputs(_ inputs: Tensor) -> Tensor {
        precondition(inputs.rank == 4, "KeypointOutputs.mirroredInputs: expected [N, C, H, W], got \(inputs.shape)")
        let width = inputs.shape[3]
        var mirrored = Tensor(uninitializedShape: inputs.shape)
        inputs.withUnsafeBufferPointer { source in
            mirrored.withUnsafeMutableBufferPointer { target in
                for row in stride(from: 0, to: source.count, by: width) {
                    for column in 0..<width { target[row + column] = source[row + width - 1 - column] }
                }
            }
        }
        return mirrored
    }
}
