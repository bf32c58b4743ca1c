import Synchronization
import Tensor

/// The groups of a ``ConvolutionPlan`` still to do, handed out one at a time to whichever
/// worker asks first.
final class GroupQueue: Sendable {
    private let taken = Atomic<Int>(0)
    let count: Int

    init(count: Int) { self.count = count }

    /// The next group nobody has taken, or `nil` when all are.
    func next() -> Int? {
        let group = taken.wrappingAdd(1, ordering: .relaxed).oldValue
        return group < count ? group : nil
    }
}
