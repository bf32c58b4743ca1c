/// `png` (a PNG file's bytes) with its IHDR chunk declaring `width` x `height` and a CRC that
/// matches, so a decoder reads the header as valid: for tests of absurd declared sizes.
public func png(_ png: [UInt8], declaringWidth width: UInt32, height: UInt32) -> [UInt8] {
    var bytes = png
    for k in 0..<4 {
        bytes[16 + k] = UInt8(truncatingIfNeeded: width >> (24 - 8 * UInt32(k)))
        bytes[20 + k] = UInt8(truncatingIfNeeded: height >> (24 - 8 * UInt32(k)))
    }
    let crc = crc32(Array(bytes[12..<29]))  // chunk type and data of IHDR
    for k in 0..<4 { bytes[29 + k] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(k))) }
    return bytes
}

/// The CRC-32 of PNG chunks (ISO 3309, as zlib's `crc32`).
private func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes {
        crc ^= UInt32(b)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}
