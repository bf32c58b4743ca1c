import Foundation
import NN
import Synchronization
import Tensor

extension MTCNN {
    /// The detector with facenet-pytorch's trained networks (the package's resource
    /// `mtcnn.safetensors`, see Docs/Detection.md), run in evaluation mode without gradients.
    /// The networks keep caches between calls, so calls from several threads take turns.
    ///
    /// ```swift
    /// let detector = try MTCNN.pretrained()
    /// for face in try detector.faces(in: try Image(contentsOf: photoURL)) { print(face.box, face.score) }
    /// ```
    public static func pretrained(minimumFaceSize: Int = 20, thresholds: [Float] = [0.6, 0.7, 0.7], scaleFactor: Float = 0.709,
                                  selectLargest: Bool = true) throws -> MTCNN {
        let networks = Mutex(UncheckedSendable(try MTCNNWeights.load()))
        let stages = MTCNNStages(
            proposal: { input in networks.withLock { held in withoutGradients { held.value.pnet.outputs(input) } } },
            refine: { input in networks.withLock { held in withoutGradients { held.value.rnet.outputs(input) } } },
            output: { input in networks.withLock { held in withoutGradients { held.value.onet.outputs(input) } } })
        return MTCNN(stages: stages, minimumFaceSize: minimumFaceSize, thresholds: thresholds, scaleFactor: scaleFactor,
                     selectLargest: selectLargest)
    }
}
