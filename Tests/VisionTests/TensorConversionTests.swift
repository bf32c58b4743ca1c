import Tensor
import Testing

@testable import Vision

@Suite("Image and Tensor")
struct TensorConversionTests {
    @Test("tensor is [C, H, W] and converts back")
    func roundTrip() {
        let image = gradientImage(width: 5, height: 4)
        let tensor = image.tensor()
        #expect(tensor.shape == [3, 4, 5])
        #expect(tensor[1, 3, 2] == image[2, 3, 1])
        #expect(Image(tensor: tensor) == image)
        #expect(Image(tensor: Tensor.zeros([4, 5])).channels == 1)
    }

    @Test("batch stacks to [N, C, H, W]")
    func batch() {
        let a = gradientImage(width: 5, height: 4), b = a.adjustingBrightness(0.5)
        let batch = Image.batch([a, b])
        #expect(batch.shape == [2, 3, 4, 5])
        #expect(batch[1, 0, 2, 3] == b[3, 2, 0])
        #expect(Image.images(fromBatch: batch) == [a, b])
    }

    @Test("normalization with per-channel mean and std, and its inverse")
    func normalize() {
        let image = gradientImage(width: 5, height: 4)
        let t = image.normalizedTensor(mean: Image.imageNetMean, std: Image.imageNetStd)
        #expect(abs(t[2, 1, 1] - (image[1, 1, 2] - 0.406) / 0.225) < 1e-6)
        let back = Image(tensor: t, mean: Image.imageNetMean, std: Image.imageNetStd)
        #expect(maxDifference(back, image.tensor()) < 1e-6)

        let standardized = image.grayscale().standardizedTensor().scalars
        let mean = standardized.reduce(0, +) / Float(standardized.count)
        let variance = standardized.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(standardized.count)
        #expect(abs(mean) < 1e-5 && abs(variance - 1) < 1e-4)
    }

    @Test("channel conversions")
    func channels() {
        let rgba = Image(width: 1, height: 1, channels: 4, pixels: [1, 0.5, 0, 0.3])
        #expect(rgba.rgb().pixels == [1, 0.5, 0])
        #expect(rgba.removingAlpha().channels == 3)
        #expect(abs(rgba.grayscale().pixels[0] - (0.299 + 0.587 * 0.5)) < 1e-6)
        let gray = Image(width: 1, height: 1, channels: 2, pixels: [0.2, 1])
        #expect(gray.rgb().pixels == [0.2, 0.2, 0.2])
        #expect(gray.grayscale().pixels == [0.2])
    }
}
