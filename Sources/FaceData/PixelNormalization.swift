import Tensor
import Vision

/// How image samples (`0...1`) become input tensor values.
///
/// In JSON (a model file's spec): `"unit"`, `"centered"`, `"standardized"`, or
/// `{"meanStd": {"mean": [...], "std": [...]}}`.
public enum PixelNormalization: Sendable, Equatable, Codable {
    /// Unchanged: `0...1`.
    case unit
    /// `x - 0.5`: `-0.5...0.5`.
    case centered
    /// `(x - mean[c]) / std[c]`, one value for all channels or one per channel
    /// (e.g. ``Vision/Image/imageNetMean``).
    case meanStd(mean: [Float], std: [Float])
    /// Per image: mean 0, standard deviation 1.
    case standardized

    /// The tensor `[C, H, W]` for `image`.
    public func tensor(_ image: Image) -> Tensor {
        switch self {
        case .unit: return image.tensor()
        case .centered: return image.normalizedTensor(mean: [0.5], std: [1])
        case .meanStd(let mean, let std): return image.normalizedTensor(mean: mean, std: std)
        case .standardized: return image.standardizedTensor()
        }
    }

    /// The image for an input tensor (for display), clamped to `0...1`. Not available for
    /// ``standardized`` (the statistics are gone); that case shows the values shifted by 0.5.
    public func image(_ tensor: Tensor) -> Image {
        switch self {
        case .unit: return Image(tensor: tensor).clamped()
        case .centered: return Image(tensor: tensor, mean: [0.5], std: [1])
        case .meanStd(let mean, let std): return Image(tensor: tensor, mean: mean, std: std)
        case .standardized: return Image(tensor: tensor, mean: [0.5], std: [0.25])
        }
    }
}

extension PixelNormalization {
    private enum CodingKeys: String, CodingKey { case meanStd }
    private enum MeanStdKeys: String, CodingKey { case mean, std }

    /// Reads a name (`"unit"`, `"centered"`, `"standardized"`) or `{"meanStd": {"mean", "std"}}`.
    public init(from decoder: any Decoder) throws {
        if let name = try? decoder.singleValueContainer().decode(String.self) {
            switch name {
            case "unit": self = .unit
            case "centered": self = .centered
            case "standardized": self = .standardized
            default:
                throw DecodingError.dataCorrupted(
                    DecodingError.Context(
                        codingPath: decoder.codingPath,
                        debugDescription:
                            "'\(name)' is not a pixel normalization; expected unit, centered, standardized or {\"meanStd\": {\"mean\": [...], \"std\": [...]}}"
                    ))
            }
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let values = try container.nestedContainer(keyedBy: MeanStdKeys.self, forKey: .meanStd)
        self = .meanStd(
            mean: try values.decode([Float].self, forKey: .mean), std: try values.decode([Float].self, forKey: .std))
    }

    /// Writes the form ``init(from:)`` reads.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .unit, .centered, .standardized:
            var container = encoder.singleValueContainer()
            try container.encode(self == .unit ? "unit" : self == .centered ? "centered" : "standardized")
        case .meanStd(let mean, let std):
            var container = encoder.container(keyedBy: CodingKeys.self)
            var values = container.nestedContainer(keyedBy: MeanStdKeys.self, forKey: .meanStd)
            try values.encode(mean, forKey: .mean)
            try values.encode(std, forKey: .std)
        }
    }

    /// Why this normalization cannot scale an input of `channels` channels, or nil when it
    /// can: `meanStd` needs one mean and one standard deviation, or one per channel, finite,
    /// the deviations positive.
    public func problem(channels: Int) -> String? {
        guard case .meanStd(let mean, let std) = self else { return nil }
        let counts = Set([1, channels]).sorted().map(String.init).joined(separator: " or ")
        if !Set([1, channels]).contains(mean.count) || mean.count != std.count {
            return "\(mean.count) means and \(std.count) standard deviations; expected \(counts) of each"
        }
        if !mean.allSatisfy(\.isFinite) || !std.allSatisfy({ $0 > 0 && $0.isFinite }) {
            return "mean \(mean), std \(std); expected finite means and positive standard deviations"
        }
        return nil
    }
}
