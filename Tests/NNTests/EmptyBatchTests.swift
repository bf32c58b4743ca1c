import NN
import Tensor
import Testing

/// An empty batch (`[0, C, H, W]`) goes through the layers and models as through PyTorch's:
/// empty outputs and input gradients, zero parameter gradients, running statistics unchanged.
@Suite struct EmptyBatchTests {
    /// Runs `module` in training mode on an empty batch, back-propagates its sum, and checks
    /// every parameter's gradient is all zeros and every buffer but the batch count is unchanged.
    static func expectEmptyPassThrough(_ module: Module, input shape: [Int], output expected: [Int], _ label: String) {
        module.train()
        let buffersBefore = module.stateDict().filter {
            $0.name.hasSuffix("running_mean") || $0.name.hasSuffix("running_var")
        }
        var input = Tensor.zeros(shape)
        input.requiresGrad = true
        let output = module(input)
        #expect(output.shape == expected, "\(label): output shape")
        output.sum().backward()
        #expect(input.grad?.shape == shape, "\(label): input gradient shape")
        for (name, parameter) in module.namedParameters() {
            let gradient = parameter.grad
            #expect(gradient?.shape == parameter.value.shape, "\(label): \(name) has no gradient of its shape")
            #expect(
                gradient?.scalars.allSatisfy { $0 == 0 } == true,
                "\(label): \(name)'s gradient is not zero: \(gradient?.scalars.prefix(4) ?? [])")
        }
        let buffersAfter = Dictionary(uniqueKeysWithValues: module.stateDict().map { ($0.name, $0.tensor) })
        for (name, before) in buffersBefore {
            #expect(buffersAfter[name]?.scalars == before.scalars, "\(label): \(name) changed")
        }
    }

    @Test func layers() {
        var generator = RandomGenerator(seed: 0)
        Self.expectEmptyPassThrough(
            Conv2d(3, 4, kernelSize: 3, padding: 1, using: &generator), input: [0, 3, 8, 8],
            output: [0, 4, 8, 8], "Conv2d")
        Self.expectEmptyPassThrough(
            Conv2d(64, 64, kernelSize: 3, padding: 1, using: &generator), input: [0, 64, 8, 8],
            output: [0, 64, 8, 8], "Conv2d (Winograd's size)")
        Self.expectEmptyPassThrough(
            ConvTranspose2d(3, 2, kernelSize: 4, stride: 2, padding: 1, using: &generator),
            input: [0, 3, 5, 5], output: [0, 2, 10, 10], "ConvTranspose2d")
        Self.expectEmptyPassThrough(BatchNorm2d(3), input: [0, 3, 4, 4], output: [0, 3, 4, 4], "BatchNorm2d")
        Self.expectEmptyPassThrough(Linear(5, 2, using: &generator), input: [0, 5], output: [0, 2], "Linear")
    }

    @Test func models() {
        var generator = RandomGenerator(seed: 0)
        Self.expectEmptyPassThrough(
            resnet18(inputChannels: 1, outputs: 136, using: &generator), input: [0, 1, 64, 64],
            output: [0, 136], "ResNet18")
        Self.expectEmptyPassThrough(
            StudyPart2Net(using: &generator), input: [0, 1, 180, 240], output: [0, 116], "StudyPart2Net")
        Self.expectEmptyPassThrough(
            PIPNet(inputChannels: 1, points: 68, stride: 16, using: &generator), input: [0, 1, 64, 64],
            output: [0, 3 * 68 + 2 * 68 * 10, 4, 4], "PIPNet at stride 16")
    }
}
