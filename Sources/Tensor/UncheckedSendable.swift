/// Carries a value across threads where the caller guarantees the accesses do not race
/// (each worker writes its own disjoint part of a buffer).
package struct UncheckedSendable<Value>: @unchecked Sendable {
    package let value: Value
    package init(_ value: Value) { self.value = value }
}
