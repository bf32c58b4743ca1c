/// Carries a value across threads where the caller guarantees the accesses do not race
/// (each worker writes its own disjoint part of a buffer).
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
