import NN
import Tensor
import TestSupport
import Testing

/// PReLU, softmax and ceil-mode max pooling (the layers of the MTCNN face detector) against
/// PyTorch (Tests/Fixtures/nn_detector_layers.json, written by
/// scripts/fixtures/nn_detector_layers.py): forward values and the gradients of
/// `sum(output * w)`, then finite differences on the same cases.
@Suite struct DetectorLayerTests {
    typealias Operation = LayerFixtureCases.Operation

    static let operations: [String: Operation] = [
        "prelu_nchw": { x, p in prelu(x[0], weight: p["weight"]!) },
        "prelu_nc": { x, p in prelu(x[0], weight: p["weight"]!) },
        "prelu_shared": { x, p in prelu(x[0], weight: p["weight"]!) },
        "softmax_dim1_nchw": { x, _ in softmax(x[0], dim: 1) },
        "softmax_dim1_nc": { x, _ in Softmax(dim: 1)(x[0]) },
        "softmax_last": { x, _ in softmax(x[0], dim: -1) },
        "maxpool_ceil_3s2": { x, _ in MaxPool2d(kernelSize: 3, stride: 2, ceilMode: true)(x[0]) },
        "maxpool_ceil_2s2": { x, _ in MaxPool2d(kernelSize: 2, stride: 2, ceilMode: true)(x[0]) },
        "maxpool_ceil_2s2_wide": { x, _ in maxPool2d(x[0], kernel: (2, 2), ceilMode: true) },
        "maxpool_ceil_2s2_even": { x, _ in maxPool2d(x[0], kernel: (2, 2), ceilMode: true) },
        "maxpool_ceil_3s2p1": { x, _ in maxPool2d(x[0], kernel: (3, 3), stride: (2, 2), padding: (1, 1), ceilMode: true)
        },
        "maxpool_ceil_2s2p1_dropped": { x, _ in
            maxPool2d(x[0], kernel: (2, 2), stride: (2, 2), padding: (1, 1), ceilMode: true)
        },
        "maxpool_ceil_2s3": { x, _ in maxPool2d(x[0], kernel: (2, 2), stride: (3, 3), ceilMode: true) }
    ]

    static let cases = LayerFixtureCases(fixtureName: "nn_detector_layers")

    static func fixture() throws -> Fixture { try cases.fixture() }

    @Test func everyFixtureCaseHasAnOperation() throws {
        #expect(try Self.cases.caseNames() == Set(Self.operations.keys))
    }

    @Test(arguments: operations.keys.sorted())
    func matchesPyTorch(_ name: String) throws {
        try Self.cases.expectMatchesPyTorch(name, try #require(Self.operations[name]))
    }

    /// Steps: 1e-3 for max pooling (ties within a window are rare but close values are not),
    /// 1e-2 for PReLU (the fixture's inputs are at least 0.05 from the kink) and softmax.
    @Test(arguments: operations.keys.sorted())
    func gradientsMatchFiniteDifferences(_ name: String) throws {
        try Self.cases.expectFiniteDifferences(
            name, try #require(Self.operations[name]), step: name.hasPrefix("maxpool") ? 1e-3 : 1e-2)
    }

    /// The output size rule, against PyTorch's for every size 1...29, kernel 1...4, stride 1...3
    /// and padding up to half the kernel.
    @Test func ceilModeOutputSizesMatchPyTorch() throws {
        let rows = try Self.fixture().tensor("ceil_sizes")
        try #require(rows.rank == 2 && rows.shape[1] == 5 && rows.shape[0] > 100)
        let values = rows.scalars.map { Int($0) }
        var mismatches: [String] = []
        for row in stride(from: 0, to: values.count, by: 5) {
            let (size, kernel, step, padding, expected) = (
                values[row], values[row + 1], values[row + 2], values[row + 3], values[row + 4]
            )
            let found = pooledSize(size, kernel: kernel, stride: step, padding: padding, ceilMode: true)
            if found != expected {
                mismatches.append(
                    "size \(size) kernel \(kernel) stride \(step) padding \(padding): \(found), PyTorch \(expected)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
        #expect(pooledSize(7, kernel: 2, stride: 2, padding: 0, ceilMode: false) == 3)
        #expect(pooledSize(7, kernel: 2, stride: 2, padding: 0, ceilMode: true) == 4)
    }

    @Test func layersNameTheirWeightsAsPyTorch() {
        let layer = PReLU(numParameters: 10)
        #expect(layer.stateDict().map(\.name) == ["weight"])
        #expect(layer.weight.shape == [10])
        #expect(layer.weight.value.scalars.allSatisfy { $0 == 0.25 })
        #expect(layer.description == "PReLU(num_parameters=10)")
        #expect(Softmax(dim: 1).description == "Softmax(dim=1)")
        #expect(
            MaxPool2d(kernelSize: 3, stride: 2, ceilMode: true).description
                == "MaxPool2d(kernel_size=3, stride=2, padding=0, dilation=1, ceil_mode=True)")
    }

    @Test func softmaxSumsToOneAndSurvivesLargeInputs() {
        let x = Tensor(shape: [2, 3], values: [1000, 1001, 1002, -5, 0, 5])
        let y = softmax(x, dim: 1)
        #expect(y.isFinite)
        #expect(y.sum(axis: 1).allClose(Tensor([1, 1]), rtol: 1e-6, atol: 1e-6))
    }
}
