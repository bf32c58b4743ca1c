import Foundation
import Tensor

/// A seeded mutator for the CI fuzz tests: the same seed gives the same inputs, so a failure
/// reproduces with the logged format, seed and round.
///
/// Each input is 1-4 stacked mutations of a seed file. Byte mutations (every format):
/// truncation, bit flips, random runs, insertion, deletion, chunk duplication, "interesting"
/// 1/2/4/8-byte values (0, 0xFF..., 0x7F..., 0x80...), splicing with another seed. Text
/// mutations (the text formats): a number token replaced by an extreme value (`nan`, `inf`,
/// `1e308`, `-1`, 2^63, 20 nines, ...), lines deleted, duplicated or swapped, a dictionary
/// token inserted.
struct Mutator {
    var generator: RandomGenerator
    let seeds: [[UInt8]]
    let dictionary: [[UInt8]]
    let isText: Bool

    init(seed: UInt64, seeds: [[UInt8]], dictionary: [String] = [], isText: Bool = false) {
        precondition(!seeds.isEmpty, "Mutator: no seed inputs")
        generator = RandomGenerator(seed: seed)
        self.seeds = seeds
        self.dictionary = dictionary.map { Array($0.utf8) }
        self.isText = isText
    }

    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(generator.next() % UInt64(n)) }
    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: generator.next()) }

    static let extremeNumbers = [
        "0", "-0", "-1", "1e308", "-1e308", "1e39", "nan", "inf", "-inf", "0x1p3",
        "2147483648", "4294967296", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "99999999999999999999", "1.5e-320", ".", "-", "1e", ""
    ]

    static let interesting: [[UInt8]] = [
        [0x00], [0xFF], [0x7F], [0x80], [0x00, 0x00], [0xFF, 0xFF], [0x7F, 0xFF], [0x80, 0x00],
        [0x00, 0x00, 0x00, 0x00], [0xFF, 0xFF, 0xFF, 0xFF], [0x7F, 0xFF, 0xFF, 0xFF], [0x80, 0x00, 0x00, 0x00],
        [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80]
    ]

    /// The next mutated input.
    mutating func next() -> [UInt8] {
        var bytes = seeds[below(seeds.count)]
        for _ in 0...below(4) { mutate(&bytes) }
        return bytes
    }

    private mutating func mutate(_ bytes: inout [UInt8]) {
        if bytes.isEmpty {
            bytes = [byte()]
            return
        }
        let kinds = isText ? 14 : 10
        switch below(kinds) {
        case 0:  // truncate
            bytes.removeLast(bytes.count - below(bytes.count))
        case 1:  // flip 1-8 bits
            for _ in 0...below(8) { bytes[below(bytes.count)] ^= 1 << UInt8(below(8)) }
        case 2:  // overwrite a run with random bytes
            let start = below(bytes.count)
            for i in start..<min(bytes.count, start + 1 + below(32)) { bytes[i] = byte() }
        case 3:  // insert random bytes
            bytes.insert(contentsOf: (0...below(16)).map { _ in byte() }, at: below(bytes.count + 1))
        case 4:  // delete a run
            let start = below(bytes.count)
            bytes.removeSubrange(start..<min(bytes.count, start + 1 + below(64)))
        case 5:  // duplicate a chunk somewhere else
            let start = below(bytes.count), end = min(bytes.count, start + 1 + below(256))
            bytes.insert(contentsOf: bytes[start..<end], at: below(bytes.count + 1))
        case 6, 7:  // an interesting value, in place
            let value = Mutator.interesting[below(Mutator.interesting.count)]
            let at = below(bytes.count)
            for (k, b) in value.enumerated() where at + k < bytes.count { bytes[at + k] = b }
        case 8:  // splice with another seed
            let other = seeds[below(seeds.count)]
            let cut = below(bytes.count), from = below(other.count)
            bytes = Array(bytes[..<cut]) + other[from...]
        case 9:  // a dictionary token (or an interesting value when there is no dictionary)
            let token =
                dictionary.isEmpty
                ? Mutator.interesting[below(Mutator.interesting.count)] : dictionary[below(dictionary.count)]
            bytes.insert(contentsOf: token, at: below(bytes.count + 1))
        case 10, 11:  // replace a number token by an extreme value
            replaceNumber(&bytes)
        default:  // delete, duplicate or swap lines
            var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
            guard lines.count > 1 else { return }
            let a = below(lines.count), b = below(lines.count)
            switch below(3) {
            case 0: lines.remove(at: a)
            case 1: lines.insert(lines[a], at: b)
            default: lines.swapAt(a, b)
            }
            bytes = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
        }
    }

    private mutating func replaceNumber(_ bytes: inout [UInt8]) {
        func isNumberByte(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: ".") || b == UInt8(ascii: "-") || b == UInt8(ascii: "e")
        }
        // Start at a random place and find the next number token.
        var i = below(bytes.count)
        while i < bytes.count && !(bytes[i] >= 0x30 && bytes[i] <= 0x39) { i += 1 }
        guard i < bytes.count else { return }
        var start = i
        while start > 0 && isNumberByte(bytes[start - 1]) { start -= 1 }
        var end = i
        while end < bytes.count && isNumberByte(bytes[end]) { end += 1 }
        let replacement = Array(Mutator.extremeNumbers[below(Mutator.extremeNumbers.count)].utf8)
        bytes.replaceSubrange(start..<end, with: replacement)
    }
}
