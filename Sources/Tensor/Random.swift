#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small, fast, seedable pseudo-random generator (xoshiro256**, seeded through
/// SplitMix64). Every random operation in the package takes one explicitly; there is no
/// global generator, so the same seed gives the same run.
public struct RandomGenerator: RandomNumberGenerator, Sendable, Codable, Equatable {
    /// The four words of state; saved in checkpoints to resume a run exactly.
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

    /// Creates a generator whose state is expanded from `seed` by SplitMix64; the same seed
    /// gives the same sequence.
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    public mutating func next() -> UInt64 {
        let result = ((state.1 &* 5) << 7 | (state.1 &* 5) >> 57) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = state.3 << 45 | state.3 >> 19
        return result
    }

    /// A uniform float in `[0, 1)` with 24 random bits.
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A standard normal float (Box-Muller).
    public mutating func nextNormal() -> Float {
        let u1 = Swift.max(nextUniform(), .leastNormalMagnitude)
        let u2 = nextUniform()
        return (-2 * logf(u1)).squareRoot() * cosf(2 * .pi * u2)
    }

    /// A generator for independent work (a worker thread, a sub-task), derived from this one.
    public mutating func split() -> RandomGenerator { RandomGenerator(seed: next()) }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.state == rhs.state }

    public init(from decoder: Decoder) throws {
        var container = try decoder.unkeyedContainer()
        state = (
            try container.decode(UInt64.self), try container.decode(UInt64.self),
            try container.decode(UInt64.self), try container.decode(UInt64.self)
        )
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(state.0)
        try container.encode(state.1)
        try container.encode(state.2)
        try container.encode(state.3)
    }
}

extension Tensor {
    /// Samples from a normal distribution with `mean` and `std`.
    public static func randomNormal(
        _ shape: [Int], mean: Float = 0, std: Float = 1, using generator: inout RandomGenerator
    ) -> Tensor {
        var result = Tensor(uninitializedShape: shape)
        result.withUnsafeMutableBufferPointer { buffer in
            for i in buffer.indices { buffer[i] = mean + std * generator.nextNormal() }
        }
        return result
    }

    /// Samples uniformly from `[low, high)`.
    public static func randomUniform(
        _ shape: [Int], low: Float = 0, high: Float = 1, using generator: inout RandomGenerator
    ) -> Tensor {
        var result = Tensor(uninitializedShape: shape)
        result.withUnsafeMutableBufferPointer { buffer in
            for i in buffer.indices { buffer[i] = low + (high - low) * generator.nextUniform() }
        }
        return result
    }
}
