import Foundation
import NN
import Tensor

extension MTCNN {
    /// The detector with facenet-pytorch's trained networks (the package's resource
    /// `mtcnn.safetensors`, see Docs/Detection.md), run in evaluation mode without gradients.
    ///
    /// The networks only read their weights (their kernel caches are locked), so one detector
    /// serves any number of threads and tasks at once, and the pyramid levels run concurrently
    /// on one P-Net (see ``faces(in:)``).
    ///
    /// ```swift
    /// let detector = try MTCNN.pretrained()
    /// for face in try detector.faces(in: try Image(contentsOf: photoURL)) { print(face.box, face.score) }
    /// ```
    public static func pretrained(
        minimumFaceSize: Int = 20, thresholds: [Float] = [0.6, 0.7, 0.7], scaleFactor: Float = 0.709,
        selectLargest: Bool = true
    ) throws -> MTCNN {
        let (pnet, rnet, onet) = try MTCNNWeights.load()
        let networks = UncheckedSendable((pnet: pnet, rnet: rnet, onet: onet))
        let stages = MTCNNStages(
            proposal: { input in withoutGradients { networks.value.pnet.outputs(input) } },
            refine: { input in withoutGradients { networks.value.rnet.outputs(input) } },
            output: { input in withoutGradients { networks.value.onet.outputs(input) } })
        return MTCNN(
            stages: stages, minimumFaceSize: minimumFaceSize, thresholds: thresholds, scaleFactor: scaleFactor,
            selectLargest: selectLargest)
    }
}
