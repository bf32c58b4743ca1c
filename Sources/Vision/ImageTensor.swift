import Tensor

extension Image {
    /// The samples as a tensor, values unchanged (`0...1`).
    ///
    /// Shape: `[channels, height, width]`.
    public func tensor() -> Tensor {
        Tensor(shape: [channels, height, width], values: pixels)
    }

    /// The samples normalized per channel: `(x - mean[c]) / std[c]`, as torchvision's
    /// `Normalize` after `ToTensor`. `mean` and `std` have one value per channel, or one value
    /// for all channels.
    ///
    /// Shape: `[channels, height, width]`.
    public func normalizedTensor(mean: [Float], std: [Float]) -> Tensor {
        precondition(
            (mean.count == channels || mean.count == 1) && mean.count == std.count,
            "Image.normalizedTensor: need 1 or \(channels) means and stds, got \(mean.count) and \(std.count)")
        let n = pixelCount
        var result = Tensor(uninitializedShape: [channels, height, width])
        result.withUnsafeMutableBufferPointer { out in
            pixels.withUnsafeBufferPointer { p in
                for c in 0..<channels {
                    let m = mean[mean.count == 1 ? 0 : c], inverse = 1 / std[std.count == 1 ? 0 : c]
                    for i in (c * n)..<((c + 1) * n) { out[i] = (p[i] - m) * inverse }
                }
            }
        }
        return result
    }

    /// The samples shifted and scaled to mean 0 and standard deviation 1 over the whole image
    /// (a constant image becomes all zeros).
    ///
    /// Shape: `[channels, height, width]`.
    public func standardizedTensor() -> Tensor {
        let count = Float(pixels.count)
        let mean = pixels.reduce(0, +) / count
        let variance = pixels.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / count
        let std = variance.squareRoot()
        return normalizedTensor(mean: [mean], std: [std > 1e-8 ? std : 1])
    }

    /// ImageNet's per-channel RGB mean, for ``normalizedTensor(mean:std:)``.
    public static let imageNetMean: [Float] = [0.485, 0.456, 0.406]
    /// ImageNet's per-channel RGB standard deviation.
    public static let imageNetStd: [Float] = [0.229, 0.224, 0.225]

    /// An image from a tensor of samples (values are kept as they are; clamp with
    /// ``clamped()`` before display if needed).
    ///
    /// Shape: `[channels, height, width]` with 1...4 channels, or `[height, width]` for gray.
    public init(tensor: Tensor) {
        switch tensor.rank {
        case 2: self.init(width: tensor.shape[1], height: tensor.shape[0], channels: 1, pixels: tensor.scalars)
        case 3:
            precondition(
                (1...4).contains(tensor.shape[0]),
                "Image(tensor:): expected 1...4 channels in [C, H, W], got \(tensor.shape)")
            self.init(
                width: tensor.shape[2], height: tensor.shape[1], channels: tensor.shape[0], pixels: tensor.scalars)
        default:
            preconditionFailure("Image(tensor:): expected [C, H, W] or [H, W], got \(tensor.shape)")
        }
    }

    /// An image from a normalized tensor, undoing ``normalizedTensor(mean:std:)``
    /// (`x * std[c] + mean[c]`) and clamping to `0...1`.
    ///
    /// Shape: `[channels, height, width]`.
    public init(tensor: Tensor, mean: [Float], std: [Float]) {
        let image = Image(tensor: tensor)
        precondition(
            (mean.count == image.channels || mean.count == 1) && mean.count == std.count,
            "Image(tensor:mean:std:): need 1 or \(image.channels) means and stds")
        var result = image
        let n = image.pixelCount
        result.pixels.withUnsafeMutableBufferPointer { p in
            for c in 0..<image.channels {
                let m = mean[mean.count == 1 ? 0 : c], s = std[std.count == 1 ? 0 : c]
                for i in (c * n)..<((c + 1) * n) { p[i] = Swift.min(Swift.max(p[i] * s + m, 0), 1) }
            }
        }
        self = result
    }

    /// Stacks images of equal size and channel count into one batch tensor.
    ///
    /// Shape: `[images.count, channels, height, width]`.
    public static func batch(_ images: [Image]) -> Tensor {
        precondition(!images.isEmpty, "Image.batch: no images")
        let first = images[0]
        let per = first.pixels.count
        var result = Tensor(uninitializedShape: [images.count, first.channels, first.height, first.width])
        result.withUnsafeMutableBufferPointer { out in
            for (k, image) in images.enumerated() {
                precondition(
                    image.width == first.width && image.height == first.height && image.channels == first.channels,
                    "Image.batch: image \(k) is \(image), expected \(first)")
                guard per > 0 else { continue }
                image.pixels.withUnsafeBufferPointer { p in
                    (out.baseAddress! + k * per).update(from: p.baseAddress!, count: per)
                }
            }
        }
        return result
    }

    /// The images of a batch tensor.
    ///
    /// Shape: `batch` is `[N, C, H, W]` with 1...4 channels.
    public static func images(fromBatch batch: Tensor) -> [Image] {
        precondition(batch.rank == 4, "Image.images(fromBatch:): expected [N, C, H, W], got \(batch.shape)")
        let (n, c, h, w) = (batch.shape[0], batch.shape[1], batch.shape[2], batch.shape[3])
        let values = batch.scalars
        let per = c * h * w
        return (0..<n).map {
            Image(width: w, height: h, channels: c, pixels: Array(values[($0 * per)..<(($0 + 1) * per)]))
        }
    }
}
