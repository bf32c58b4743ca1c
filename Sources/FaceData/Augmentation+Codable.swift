import Foundation
import Vision

/// Augmentation as training configurations and checkpoints store it, in the units a user
/// types: `{"rotation": 15, "shift": 0.05, "scaleLow": 0.9, "scaleHigh": 1.1,
/// "flipProbability": 0.5, "brightness": 0.3, "contrast": 0.3, "saturation": 0,
/// "occlusion": 0, "occlusionMaxSize": 0.4}`. Files written before `saturation`, `occlusion`
/// or `occlusionMaxSize` existed read them as their defaults (none, none, 0.4).
extension Augmentation: Codable {
    private enum CodingKeys: String, CodingKey {
        case rotation, shift, scaleLow, scaleHigh, flipProbability, brightness, contrast, saturation, occlusion
        case occlusionMaxSize
    }

    /// Reads the settings, refusing out-of-range ones with the setting's name (``problem``)
    /// before anything is built from them.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var augmentation = Augmentation.none
        augmentation.rotation = try c.decode(Float.self, forKey: .rotation)
        augmentation.shift = try c.decode(Float.self, forKey: .shift)
        let low = try c.decode(Float.self, forKey: .scaleLow), high = try c.decode(Float.self, forKey: .scaleHigh)
        augmentation.flipProbability = try c.decode(Float.self, forKey: .flipProbability)
        augmentation.colorJitter.brightness = try c.decode(Float.self, forKey: .brightness)
        augmentation.colorJitter.contrast = try c.decode(Float.self, forKey: .contrast)
        augmentation.colorJitter.saturation = try c.decodeIfPresent(Float.self, forKey: .saturation) ?? 0
        augmentation.occlusion.probability = try c.decodeIfPresent(Float.self, forKey: .occlusion) ?? 0
        augmentation.occlusion.maxSize =
            try c.decodeIfPresent(Float.self, forKey: .occlusionMaxSize) ?? RandomOcclusion().maxSize
        if let problem = Self.scaleProblem(low, high) ?? augmentation.problem {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: problem))
        }
        augmentation.scale = low...high
        self = augmentation
    }

    /// Writes the form ``init(from:)`` reads.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rotation, forKey: .rotation)
        try c.encode(shift, forKey: .shift)
        try c.encode(scale.lowerBound, forKey: .scaleLow)
        try c.encode(scale.upperBound, forKey: .scaleHigh)
        try c.encode(flipProbability, forKey: .flipProbability)
        try c.encode(colorJitter.brightness, forKey: .brightness)
        try c.encode(colorJitter.contrast, forKey: .contrast)
        try c.encode(colorJitter.saturation, forKey: .saturation)
        try c.encode(occlusion.probability, forKey: .occlusion)
        try c.encode(occlusion.maxSize, forKey: .occlusionMaxSize)
    }

    /// Why these settings cannot train, naming the setting and what is allowed, or nil when they
    /// can: rotation in `0...180` degrees, shift in `0...1`, a positive finite scale range,
    /// probabilities and the occlusion's size in `0...1`, colour strengths `>= 0`. Settings
    /// changed field by field (a command line's options) are checked here, not trapped on.
    public var problem: String? {
        if !(0...180).contains(rotation) { return "the rotation range must be 0...180 degrees, got \(rotation)" }
        if !(0...1).contains(shift) { return "the shift must be a fraction of the input in 0...1, got \(shift)" }
        if let problem = Self.scaleProblem(scale.lowerBound, scale.upperBound) { return problem }
        for (name, value) in [
            ("flip probability", flipProbability), ("occlusion probability", occlusion.probability),
            ("occlusion's largest size", occlusion.maxSize)
        ] where !(0...1).contains(value) {
            return "the \(name) must be in 0...1, got \(value)"
        }
        for (name, value) in [
            ("brightness", colorJitter.brightness), ("contrast", colorJitter.contrast),
            ("saturation", colorJitter.saturation)
        ] where !(value >= 0 && value.isFinite) {
            return "the \(name) strength must be >= 0, got \(value)"
        }
        return nil
    }

    private static func scaleProblem(_ low: Float, _ high: Float) -> String? {
        low > 0 && low <= high && high.isFinite
            ? nil : "the scale range must be positive and ordered, got \(low)...\(high)"
    }
}
