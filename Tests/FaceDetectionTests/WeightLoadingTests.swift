import FaceDetection
import Foundation
import NN
import Tensor
import TensorIO
import Testing

/// The shipped resource, the networks' state-dict names and strict loading with errors that
/// name the file.
@Suite struct WeightLoadingTests {
    static func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("facedetection-\(UUID().uuidString)-\(name)")
    }

    @Test func stateDictNamesAreFacenetPyTorchs() {
        #expect(
            PNet().stateDict().map(\.name).sorted() == [
                "conv1.bias", "conv1.weight", "conv2.bias", "conv2.weight", "conv3.bias", "conv3.weight",
                "conv4_1.bias", "conv4_1.weight", "conv4_2.bias", "conv4_2.weight",
                "prelu1.weight", "prelu2.weight", "prelu3.weight"
            ])
        #expect(RNet().stateDict().map(\.name).contains("dense5_2.weight"))
        #expect(ONet().stateDict().map(\.name).contains("dense6_3.bias"))
        #expect(PNet().parameterCount == 6_632)
        #expect(RNet().parameterCount == 100_178)
        #expect(ONet().parameterCount == 389_040)
    }

    @Test func shippedWeightsLoadWithProvenance() throws {
        let (pnet, rnet, onet) = try MTCNNWeights.load()
        #expect(!pnet.isTraining && !rnet.isTraining && !onet.isTraining)
        #expect(pnet.prelu1.weight.value.scalars != [Float](repeating: 0.25, count: 10))
        let url = try #require(MTCNNWeights.resourceURL)
        let file = try SafeTensors.read(contentsOf: url)
        #expect(file.names.count == 50)
        #expect(file.metadata["format"] == "pt")
        #expect(file.metadata["source"]?.contains("facenet-pytorch 2.6.0") == true)
        #expect(file.metadata["license"]?.hasPrefix("MIT") == true)
        #expect(Set(file.dtypes.values) == [.f32])
    }

    @Test func missingFileNamesThePath() throws {
        let url = Self.temporaryURL("missing.safetensors")
        #expect {
            _ = try MTCNNWeights.load(from: url)
        } throws: { error in
            guard case .unreadable(let path, _)? = error as? MTCNNWeights.LoadError else { return false }
            return path == url.path && "\(error)".contains(url.path)
        }
    }

    @Test func missingAndStrayKeysAreErrors() throws {
        let (pnet, rnet, onet) = try MTCNNWeights.load()
        var tensors: [String: Tensor] = [:]
        for (section, module) in [("pnet", pnet as Module), ("rnet", rnet), ("onet", onet)] {
            for (name, tensor) in module.stateDict() { tensors["\(section).\(name)"] = tensor }
        }
        let complete = Self.temporaryURL("complete.safetensors")
        defer { try? FileManager.default.removeItem(at: complete) }
        try SafeTensors.write(tensors, to: complete)
        _ = try MTCNNWeights.load(from: complete)

        var missing = tensors
        missing["onet.dense6_3.bias"] = nil
        let missingURL = Self.temporaryURL("missing-key.safetensors")
        defer { try? FileManager.default.removeItem(at: missingURL) }
        try SafeTensors.write(missing, to: missingURL)
        #expect {
            _ = try MTCNNWeights.load(from: missingURL)
        } throws: { error in
            guard case .stateDict(let path, let network, let stateError)? = error as? MTCNNWeights.LoadError else {
                return false
            }
            return path == missingURL.path && network == "onet" && stateError.missing == ["dense6_3.bias"]
        }

        var stray = tensors
        stray["extra.weight"] = Tensor([1])
        let strayURL = Self.temporaryURL("stray-key.safetensors")
        defer { try? FileManager.default.removeItem(at: strayURL) }
        try SafeTensors.write(stray, to: strayURL)
        #expect {
            _ = try MTCNNWeights.load(from: strayURL)
        } throws: { error in
            guard case .unexpectedKeys(let path, let keys)? = error as? MTCNNWeights.LoadError else { return false }
            return path == strayURL.path && keys == ["extra.weight"] && "\(error)".contains(strayURL.path)
        }
    }
}
