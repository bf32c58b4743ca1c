import Foundation
import Synchronization
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

        private struct Raw: Decodable {
            let shape: [Int]
            let data: [Float]
        }

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
    public init(_ name: String) throws(FixtureError) {
        self.name = name
        let url = Fixture.directory.appendingPathComponent(name + ".json")
        do {
            entries = try JSONDecoder().decode([String: Entry].self, from: Data(contentsOf: url))
        } catch {
            throw FixtureError("fixture \(name): cannot read \(url.path): \(error)")
        }
    }

    /// The fixture `name`, read once per test run: suites share it, and a missing or broken
    /// file fails each test that asks for it, with the reason.
    public static func shared(_ name: String) throws(FixtureError) -> Fixture {
        try cache.withLock { loaded in
            let result = loaded[name] ?? Result { () throws(FixtureError) in try Fixture(name) }
            loaded[name] = result
            return result
        }.get()
    }

    private static let cache = Mutex<[String: Result<Fixture, FixtureError>]>([:])

    /// The committed fixture folder.
    public static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
            "Fixtures")
    }

    /// The tensor stored under `key`; throws, naming the fixture and the key, when there is none.
    public func tensor(_ key: String) throws(FixtureError) -> Tensor {
        guard case .tensor(let t)? = entries[key] else {
            throw FixtureError("fixture \(name): no tensor named '\(key)'")
        }
        return t
    }

    /// The number stored under `key`; throws, naming the fixture and the key, when there is none.
    public func number(_ key: String) throws(FixtureError) -> Double {
        guard case .number(let n)? = entries[key] else {
            throw FixtureError("fixture \(name): no number named '\(key)'")
        }
        return n
    }

    /// Whether `key` is present.
    public func contains(_ key: String) -> Bool { entries[key] != nil }

    /// All keys, sorted.
    public var keys: [String] { entries.keys.sorted() }
}

/// A fixture file that cannot be read, or a name it does not hold.
public struct FixtureError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
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
    return
        "max |difference| \(worstDifference) at element \(worst): \(a.isEmpty ? 0 : a[worst]) vs \(e.isEmpty ? 0 : e[worst]) (shape \(actual.shape))"
}
