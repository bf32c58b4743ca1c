/// One process on its own: sums and broadcasts leave the values as they are.
public final class SingleProcessGroup: ProcessGroup {
    /// Creates the group of one process: rank 0, size 1.
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) {}
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) {}
    public func broadcast(_ values: UnsafeMutableBufferPointer<Float>, from root: Int) {}
    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) {}
}
