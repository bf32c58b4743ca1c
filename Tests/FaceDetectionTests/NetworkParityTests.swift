import FaceDetection
import Foundation
import NN
import Tensor
import TensorIO
import TestSupport
import Testing

/// MTCNN's networks with the shipped weights against facenet-pytorch 2.6.0's own PNet, RNet and
/// ONet on the same inputs (Tests/Fixtures/mtcnn_networks.safetensors, written by
/// scripts/fixtures/mtcnn_fixtures.py). Float32 tolerance: rtol 1e-4, atol 1e-5.
@Suite struct NetworkParityTests {
    static func fixture() throws -> SafeTensorsFile {
        try SafeTensors.read(contentsOf: Fixture.directory.appendingPathComponent("mtcnn_networks.safetensors"))
    }

    static func tensor(_ file: SafeTensorsFile, _ key: String) throws -> Tensor {
        try #require(file[key], "mtcnn_networks.safetensors has no tensor \(key)")
    }

    static func expectClose(_ actual: Tensor, _ expected: Tensor, _ what: String) {
        #expect(actual.shape == expected.shape, "\(what): shape \(actual.shape), PyTorch \(expected.shape)")
        #expect(actual.allClose(expected, rtol: 1e-4, atol: 1e-5), "\(what): \(differenceReport(actual, expected))")
        print("\(what): max |Swift - PyTorch| = \(maxDifference(actual, expected))")
    }

    static func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
        guard a.shape == b.shape else { return .infinity }
        return zip(a.scalars, b.scalars).reduce(0) { Swift.max($0, abs($1.0 - $1.1)) }
    }

    @Test(arguments: ["pnet_random", "pnet_face"])
    func pnetMatchesFacenetPyTorch(_ name: String) throws {
        let file = try Self.fixture()
        let (pnet, _, _) = try MTCNNWeights.load()
        let (probabilities, regression) = pnet.outputs(try Self.tensor(file, "\(name).input"))
        Self.expectClose(probabilities, try Self.tensor(file, "\(name).probabilities"), "\(name) probabilities")
        Self.expectClose(regression, try Self.tensor(file, "\(name).regression"), "\(name) regression")
        let combined = pnet(try Self.tensor(file, "\(name).input"))
        #expect(combined.shape == [probabilities.shape[0], 6] + probabilities.shape[2...])
    }

    @Test func rnetMatchesFacenetPyTorch() throws {
        let file = try Self.fixture()
        let (_, rnet, _) = try MTCNNWeights.load()
        let (probabilities, regression) = rnet.outputs(try Self.tensor(file, "rnet.input"))
        Self.expectClose(probabilities, try Self.tensor(file, "rnet.probabilities"), "rnet probabilities")
        Self.expectClose(regression, try Self.tensor(file, "rnet.regression"), "rnet regression")
        #expect(rnet(try Self.tensor(file, "rnet.input")).shape == [3, 6])
    }

    @Test func onetMatchesFacenetPyTorch() throws {
        let file = try Self.fixture()
        let (_, _, onet) = try MTCNNWeights.load()
        let (probabilities, regression, landmarks) = onet.outputs(try Self.tensor(file, "onet.input"))
        Self.expectClose(probabilities, try Self.tensor(file, "onet.probabilities"), "onet probabilities")
        Self.expectClose(regression, try Self.tensor(file, "onet.regression"), "onet regression")
        Self.expectClose(landmarks, try Self.tensor(file, "onet.landmarks"), "onet landmarks")
        #expect(onet(try Self.tensor(file, "onet.input")).shape == [3, 16])
    }
}
