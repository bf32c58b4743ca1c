import Foundation
import Tensor
import Vision

/// A face's cache region as 8-bit samples, and the map from the photo's pixels to it.
struct CachedImage: Sendable {
    let width: Int
    let height: Int
    let channels: Int
    let samples: [UInt8]
    /// Original pixels -> cache pixels.
    let fromOriginal: Affine2D

    init(photo: Image, region: BoundingBox, margin: Float, oversample: Float, input: InputFormat) {
        let grown = region.scaled(by: max(margin, 1))
        let x0 = max(0, Int(grown.x.rounded(.down))), y0 = max(0, Int(grown.y.rounded(.down)))
        let x1 = max(x0 + 1, min(photo.width, Int(grown.maxX.rounded(.up))))
        let y1 = max(y0 + 1, min(photo.height, Int(grown.maxY.rounded(.up))))
        let scale = min(1, oversample * max(Float(input.width) / region.width, Float(input.height) / region.height))
        let w = max(1, Int((Float(x1 - x0) * scale).rounded())), h = max(1, Int((Float(y1 - y0) * scale).rounded()))
        let transform = Affine2D.crop(x: Float(x0), y: Float(y0))
            .then(.scale(sx: Float(w) / Float(x1 - x0), sy: Float(h) / Float(y1 - y0)))
        let image =
            scale == 1
            ? photo.cropped(x: x0, y: y0, width: w, height: h)
            : photo.warped(by: transform, width: w, height: h)
        width = w
        height = h
        channels = image.channels
        samples = image.pixels.map { UInt8((min(max($0, 0), 1) * 255).rounded()) }
        fromOriginal = transform
    }

    var image: Image {
        Image(width: width, height: height, channels: channels, pixels: samples.map { Float($0) * (1 / 255) })
    }

    var byteCount: Int { samples.count }
}
