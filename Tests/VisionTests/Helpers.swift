import Foundation
import Tensor
import TestSupport
import Testing

@testable import Vision

/// Shared helpers for the Vision tests.
enum Files {
    static func fixture(_ name: String) -> URL { Fixture.directory.appendingPathComponent(name) }
    static func data(_ relative: String) -> URL { TestData.root.appendingPathComponent(relative) }

    static func fixtureData(_ name: String) throws -> Data { try Data(contentsOf: fixture(name)) }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("VisionTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// The largest absolute difference between an image's samples and a tensor's values.
func maxDifference(_ image: Image, _ expected: Tensor) -> Float {
    guard image.tensor().shape == expected.shape else { return .infinity }
    return zip(image.pixels, expected.scalars).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
}

/// A deterministic test image: smooth gradients plus a little texture, RGB.
func gradientImage(width: Int, height: Int) -> Image {
    var image = Image(width: width, height: height, channels: 3)
    for y in 0..<height {
        for x in 0..<width {
            image[x, y, 0] = Float(x) / Float(max(width - 1, 1))
            image[x, y, 1] = Float(y) / Float(max(height - 1, 1))
            image[x, y, 2] = Float((x * 7 + y * 13) % 17) / 16
        }
    }
    return image
}
