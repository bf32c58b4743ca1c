import Foundation
import NN
import Synchronization
import Tensor

extension MTCNN {
    /// The detector with facenet-pytorch's trained networks (the package's resource
    /// `mtcnn.safetensors`, see Docs/Detection.md), run in evaluation mode without gradients.
    ///
    /// The refinement and output networks keep caches between calls, so calls from several
    /// threads take turns with them. The proposal network runs on every pyramid level, and
    /// the levels run concurrently (see ``faces(in:)``): each concurrent caller gets a P-Net
    /// of its own from a ``ProposalNetworkPool``.
    ///
    /// ```swift
    /// let detector = try MTCNN.pretrained()
    /// for face in try detector.faces(in: try Image(contentsOf: photoURL)) { print(face.box, face.score) }
    /// ```
    public static func pretrained(minimumFaceSize: Int = 20, thresholds: [Float] = [0.6, 0.7, 0.7], scaleFactor: Float = 0.709,
                                  selectLargest: Bool = true) throws -> MTCNN {
        let (pnet, rnet, onet) = try MTCNNWeights.load()
        let proposalNetworks = ProposalNetworkPool(pnet)
        let networks = Mutex(UncheckedSendable((rnet: rnet, onet: onet)))
        let stages = MTCNNStages(
            proposal: { input in proposalNetworks.withNetwork { pnet in withoutGradients { pnet.outputs(input) } } },
            refine: { input in networks.withLock { held in withoutGradients { held.value.rnet.outputs(input) } } },
            output: { input in networks.withLock { held in withoutGradients { held.value.onet.outputs(input) } } })
        return MTCNN(stages: stages, minimumFaceSize: minimumFaceSize, thresholds: thresholds, scaleFactor: scaleFactor,
                     selectLargest: selectLargest)
    }
}

/// P-Nets with the same weights, lent to one caller at a time, so that several threads can run
/// the proposal stage at once (a network's layers are not meant to run on two threads
/// together). A caller that finds every network lent out gets a new copy, kept for later.
final class ProposalNetworkPool: Sendable {
    /// The weights every copy loads.
    private let weights: UncheckedSendable<[String: Tensor]>
    /// The networks not lent out.
    private let idle: Mutex<[UncheckedSendable<PNet>]>

    init(_ network: PNet) {
        weights = UncheckedSendable(Dictionary(uniqueKeysWithValues: network.stateDict().map { ($0.name, $0.tensor) }))
        idle = Mutex([UncheckedSendable(network)])
    }

    /// Runs `body` with a network no other caller holds meanwhile.
    func withNetwork<R>(_ body: (PNet) -> R) -> R {
        let network = idle.withLock { $0.popLast() } ?? UncheckedSendable(copy())
        defer { idle.withLock { $0.append(network) } }
        return body(network.value)
    }

    private func copy() -> PNet {
        let network = PNet()
        do {
            try network.loadStateDict(weights.value, source: "the first P-Net")
        } catch {
            preconditionFailure("ProposalNetworkPool: a P-Net does not load another P-Net's weights: \(error)")
        }
        return network
    }
}
