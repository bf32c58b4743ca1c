extension Tensor: Equatable {
    /// Same shape and exactly the same values (NaN is never equal). Ignores autograd state.
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        guard lhs.shape == rhs.shape else { return false }
        if lhs.storage === rhs.storage { return lhs.scalars.allSatisfy { !$0.isNaN } }
        return lhs.withUnsafeBufferPointer { a in rhs.withUnsafeBufferPointer { b in a.elementsEqual(b) } }
    }
}
