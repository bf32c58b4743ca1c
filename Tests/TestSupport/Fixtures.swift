import Foundation
import Tensor

/// Reference values computed by PyTorch and committed under `Tests/Fixtures/` by the scripts
/// in `scripts/fixtures/`. A fixture file is a JSON object mapping names to
/// `{"shape": [...], "data": [...]}` (row-major float values) or to plain numbers.
public struct Fixture: Sendable {
    private let entries: [String: Entry]
    public let name: String

    private enum Entry: Decodable, Sendable {
        case tensor(Tensor)
        case number(Double)

        private struct Raw: Decodable { let shape: [Int]; let data: [Float] }

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Double.self) {
                self = .number(number)
            } else {
                let raw = try container.decode(Raw.self)
                self = .tensor(Tensor(shape: raw.shape, values: raw.data))
            }
        }
    }

    /// Loads `Tests/Fixtures/<name>.json`.
    public init(_ name: String) throws {
        self.name = name
        let url = Fixture.directory.appendingPathComponent(name + ".json")
        let data = try Data(contentsOf: url)
        entries = try JSONDecoder().decode([String: Entry].self, from: data)
    }

    /// The committed fixture folder.
    public static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
    }

    /// The tensor stored under `key`; stops the test with the key's name when it is missing.
    public func tensor(_ key: String) -> Tensor {
        guard case .tensor(let t)? = entries[key] else { fatalError("fixture \(name): no tensor named '\(key)'") }
        return t
    }

    /// The number stored under `key`.
    public func number(_ key: String) -> Double {
        guard case .number(let n)? = entries[key] else { fatalError("fixture \(name): no number named '\(key)'") }
        return n
    }

    /// Whether `key` is present.
    public func contains(_ key: String) -> Bool { entries[key] != nil }

    /// All keys, sorted.
    public var keys: [String] { entries.keys.sorted() }
}

/// Where the shared face data lives: `$FACEKEYPOINTS_DATA`, or `../shared/data` beside the
/// checkout (the documented default).
public enum TestData {
    public static var root: URL {
        if let custom = ProcessInfo.processInfo.environment["FACEKEYPOINTS_DATA"] {
            return URL(fileURLWithPath: custom)
        }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/data")
    }
}

/// A short description of the largest difference between two tensors, for test messages.
public func differenceReport(_ actual: Tensor, _ expected: Tensor) -> String {
    guard actual.shape == expected.shape else { return "shapes differ: \(actual.shape) vs \(expected.shape)" }
    var worst = 0, worstDifference: Float = 0
    let a = actual.scalars, e = expected.scalars
    for i in a.indices where abs(a[i] - e[i]) > worstDifference || a[i].isNaN {
        worst = i
        worstDifference = a[i].isNaN ? .nan : abs(a[i] - e[i])
    }
    return "max |difference| \(worstDifference) at element \(worst): \(a.isEmpty ? 0 : a[worst]) vs \(e.isEmpty ? 0 : e[worst]) (shape \(actual.shape))"
}
