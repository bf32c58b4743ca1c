/// The EXIF orientation tag (0x0112): how the stored pixels must be turned to display upright.
public enum ExifOrientation: Int, Sendable, CaseIterable {
    /// 1: stored upright; nothing to do.
    case up = 1
    /// 2: mirror left to right to display.
    case mirrored = 2
    /// 3: rotate by 180 degrees to display.
    case upsideDown = 3
    /// 4: flip top to bottom to display.
    case flippedVertically = 4
    /// 5: mirror across the main diagonal (swap `x` and `y`) to display; width and height swap.
    case transposed = 5
    /// 6: rotate by 90 degrees clockwise to display; width and height swap.
    case rotatedClockwise = 6
    /// 7: mirror across the anti-diagonal to display; width and height swap.
    case transverse = 7
    /// 8: rotate by 90 degrees counter-clockwise to display; width and height swap.
    case rotatedCounterClockwise = 8

    /// Parses the orientation from an APP1 payload (`"Exif\0\0"` followed by a TIFF header and
    /// IFD0). Returns `nil` when the payload is malformed or carries no orientation tag.
    init?(exifPayload p: UnsafeBufferPointer<UInt8>) {
        guard p.count >= 14, Array(p[0..<6]) == [0x45, 0x78, 0x69, 0x66, 0, 0] else { return nil }
        let tiff = 6
        let little: Bool
        switch (p[tiff], p[tiff + 1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return nil
        }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= p.count else { return nil }
            return little ? Int(p[at]) | Int(p[at + 1]) << 8 : Int(p[at]) << 8 | Int(p[at + 1])
        }
        func u32(_ at: Int) -> Int? {
            guard let a = u16(at), let b = u16(at + 2) else { return nil }
            return little ? a | b << 16 : a << 16 | b
        }
        guard u16(tiff + 2) == 42, let ifd = u32(tiff + 4), let entries = u16(tiff + ifd) else { return nil }
        for e in 0..<entries {
            let entry = tiff + ifd + 2 + 12 * e
            guard let tag = u16(entry) else { return nil }
            if tag == 0x0112 {
                guard u16(entry + 2) == 3, let value = u16(entry + 8) else { return nil }
                self.init(rawValue: value)
                return
            }
        }
        return nil
    }
}

extension Image {
    /// The image turned upright according to an EXIF orientation (as PIL's
    /// `ImageOps.exif_transpose`). Orientations 5-8 swap width and height.
    public func oriented(_ orientation: ExifOrientation) -> Image {
        if orientation == .up { return self }
        let w = width, h = height
        let swaps = orientation.rawValue >= 5
        let ow = swaps ? h : w, oh = swaps ? w : h
        var result = Image(width: ow, height: oh, channels: channels)
        let n = w * h
        pixels.withUnsafeBufferPointer { src in
            result.pixels.withUnsafeMutableBufferPointer { dst in
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        let sx: Int, sy: Int
                        switch orientation {
                        case .up: (sx, sy) = (ox, oy)
                        case .mirrored: (sx, sy) = (w - 1 - ox, oy)
                        case .upsideDown: (sx, sy) = (w - 1 - ox, h - 1 - oy)
                        case .flippedVertically: (sx, sy) = (ox, h - 1 - oy)
                        case .transposed: (sx, sy) = (oy, ox)
                        case .rotatedClockwise: (sx, sy) = (oy, h - 1 - ox)
                        case .transverse: (sx, sy) = (w - 1 - oy, h - 1 - ox)
                        case .rotatedCounterClockwise: (sx, sy) = (w - 1 - oy, ox)
                        }
                        for c in 0..<channels { dst[c * n + oy * ow + ox] = src[c * n + sy * w + sx] }
                    }
                }
            }
        }
        return result
    }
}
