import Foundation
import Tensor

/// Train / validation splits.
///
/// ```swift
/// let (train, validation) = DataSplit.seeded(count: 1207, validationFraction: 0.1, seed: 7)
/// // train.count == 1086, validation.count == 121, disjoint, together 0..<1207
/// DataSplit.immPerson(of: "33-1m.asf")   // 33 -> validation under the usual split
/// ```
public enum DataSplit {
    /// The usual IMM split: persons 01-32 train (192 images), 33-40 validation (48).
    public static let immTrainPersons = 1...32
    /// The usual IMM validation persons: 33-40 (48 images).
    public static let immValidationPersons = 33...40

    /// The person number `PP` of an IMM file name `PP-Vg.ext`, or nil if the name does not
    /// follow that pattern.
    public static func immPerson(of fileName: String) -> Int? {
        let base = (fileName as NSString).lastPathComponent
        let parts = base.split(separator: "-")
        guard parts.count == 2, parts[0].count == 2, let person = Int(parts[0]) else { return nil }
        return person
    }

    /// The view number `V` (1-6) of an IMM file name `PP-Vg.ext`, or nil.
    public static func immView(of fileName: String) -> Int? {
        let base = (fileName as NSString).lastPathComponent
        let parts = base.split(separator: "-")
        guard parts.count == 2, let first = parts[1].first, let view = Int(String(first)) else { return nil }
        return view
    }

    /// A seeded random split of `0..<count`: `round(fraction * count)` indices for validation,
    /// the rest for training; both lists sorted. The same seed gives the same split.
    public static func seeded(count: Int, validationFraction: Double, seed: UInt64) -> (train: [Int], validation: [Int])
    {
        precondition(count >= 0, "DataSplit.seeded: expected a non-negative count, got \(count)")
        precondition(
            (0...1).contains(validationFraction),
            "DataSplit.seeded: expected a fraction in [0, 1], got \(validationFraction)")
        var generator = RandomGenerator(seed: seed)
        var order = Array(0..<count)
        shuffle(&order, using: &generator)
        let validationCount = Int((validationFraction * Double(count)).rounded())
        return (Array(order[validationCount...]).sorted(), Array(order[..<validationCount]).sorted())
    }

    /// Fisher-Yates with the package generator (independent of the standard library's
    /// algorithm, so orders stay the same across Swift versions).
    public static func shuffle<T>(_ array: inout [T], using generator: inout RandomGenerator) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = Int(generator.next() % UInt64(i + 1))
            array.swapAt(i, j)
        }
    }
}
