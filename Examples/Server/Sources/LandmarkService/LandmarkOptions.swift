import Hummingbird

/// The query parameters of `POST /v1/landmarks`: `minFace` (the smallest face searched for, in
/// pixels) and `mirror` (test-time mirroring, `true` or `false`). An unknown parameter or a
/// value out of range is refused, naming it, rather than ignored.
struct LandmarkOptions {
    /// The request's smallest face (nil: the server's).
    var minimumFaceSize: Int?
    /// Whether to average each face with its mirrored crop.
    var mirror = false

    init(_ parameters: Parameters, configuration: ServiceConfiguration) throws(APIError) {
        for (key, value) in parameters {
            let key = String(key), value = String(value)
            switch key {
            case "minFace":
                guard let size = Int(value), ServiceConfiguration.minimumFaceSizes.contains(size) else {
                    throw APIError(
                        .badRequest, kind: "option",
                        "minFace=\(value): expected whole pixels in \(ServiceConfiguration.minimumFaceSizes)")
                }
                minimumFaceSize = size
            case "mirror":
                switch value.lowercased() {
                case "true", "1", "yes": mirror = true
                case "false", "0", "no": mirror = false
                default: throw APIError(.badRequest, kind: "option", "mirror=\(value): expected true or false")
                }
            default:
                throw APIError(
                    .badRequest, kind: "option", "unknown query parameter '\(key)'; expected minFace or mirror")
            }
        }
    }
}
