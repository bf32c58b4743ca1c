import Foundation
import NN
import Tensor
import TensorIO

/// The trained weights of MTCNN's three networks, shipped with this target as the resource
/// `mtcnn.safetensors`: facenet-pytorch 2.6.0's `pnet.pt`, `rnet.pt` and `onet.pt` (MIT
/// licence; the weights of Zhang et al. 2016), converted by `scripts/convert_mtcnn_weights.py`
/// and stored as float32. Keys are each network's state-dict names prefixed `pnet.`, `rnet.`,
/// `onet.`. See Docs/Detection.md for provenance and parity with PyTorch.
///
/// ```swift
/// let (pnet, rnet, onet) = try MTCNNWeights.load()
/// let (probabilities, regression) = pnet.outputs(normalizedImage)   // [1, 3, H, W]
/// ```
public enum MTCNNWeights {
    /// The resource's file name.
    public static let resourceName = "mtcnn.safetensors"

    /// Where the shipped weight file is (`nil` only in a broken installation: a binary copied
    /// without its resource bundle).
    public static var resourceURL: URL? { locateResource().url }

    private static func locateResource() -> (url: URL?, places: [String]) {
        PackageResource.url(
            named: resourceName, package: "FaceKeypoints", target: "FaceDetection",
            sourceFolder: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "Resources"))
    }

    /// The three networks with the shipped weights, in evaluation mode.
    public static func load() throws(LoadError) -> (pnet: PNet, rnet: RNet, onet: ONet) {
        let (url, places) = locateResource()
        guard let url else {
            throw LoadError.missingResource(name: resourceName, bundle: places.joined(separator: ", "))
        }
        return try load(from: url)
    }

    /// The three networks with the weights of the safetensors file at `url`, in evaluation
    /// mode. Strict: every key of the three networks must be present with its shape, and the
    /// file may hold no other key.
    public static func load(from url: URL) throws(LoadError) -> (pnet: PNet, rnet: RNet, onet: ONet) {
        let file: SafeTensorsFile
        do {
            file = try SafeTensors.read(contentsOf: url)
        } catch let error as SafeTensorsError {
            throw LoadError.unreadable(path: url.path, error)
        } catch {
            throw LoadError.unreadable(path: url.path, SafeTensorsError(.io, source: url.path, message: "\(error)"))
        }
        let (pnet, rnet, onet) = (PNet(), RNet(), ONet())
        let networks: [(section: String, module: Module)] = [("pnet", pnet), ("rnet", rnet), ("onet", onet)]
        let sections = Set(networks.map(\.section))
        let stray = file.names.filter { name in !sections.contains(where: { name.hasPrefix($0 + ".") }) }.sorted()
        guard stray.isEmpty else { throw LoadError.unexpectedKeys(path: url.path, stray) }
        for (section, module) in networks {
            do {
                try module.loadStateDict(
                    file.tensors(inSection: section), strict: true, source: "\(url.path) (\(section).)")
            } catch let error as StateDictError {
                throw LoadError.stateDict(path: url.path, network: section, error)
            } catch {
                throw LoadError.invalid(path: url.path, message: "\(section): \(error)")
            }
            module.eval()
        }
        return (pnet, rnet, onet)
    }

    /// Why the MTCNN weights could not be loaded; every case names the file.
    public enum LoadError: Error, CustomStringConvertible, LocalizedError, Sendable {
        /// The target's bundle has no `mtcnn.safetensors` (a broken installation).
        case missingResource(name: String, bundle: String)
        /// The file cannot be read or is not a valid safetensors file.
        case unreadable(path: String, SafeTensorsError)
        /// The file holds keys outside the `pnet.`, `rnet.` and `onet.` sections.
        case unexpectedKeys(path: String, [String])
        /// A network's keys are missing, unexpected or of the wrong shape.
        case stateDict(path: String, network: String, StateDictError)
        /// Any other failure while loading the file.
        case invalid(path: String, message: String)

        public var description: String {
            switch self {
            case .missingResource(let name, let bundle):
                "MTCNN weights: the resource \(name) is not in \(bundle); copy the resource bundle FaceKeypoints_FaceDetection.resources from the build folder next to the executable"
            case .unreadable(let path, let error):
                "MTCNN weights: cannot read \(path): \(error)"
            case .unexpectedKeys(let path, let keys):
                "MTCNN weights: \(path) holds keys outside pnet., rnet., onet.: \(keys.joined(separator: ", "))"
            case .stateDict(let path, let network, let error):
                "MTCNN weights: \(path) does not fit \(network): \(error)"
            case .invalid(let path, let message):
                "MTCNN weights: cannot load \(path): \(message)"
            }
        }

        public var errorDescription: String? { description }
    }
}
