import Tensor

extension Module {
    /// Replaces every parameter and buffer (BatchNorm's running statistics) on every rank of
    /// `group` with rank `root`'s, in state-dict order: the start of a data-parallel run, so all
    /// ranks train the same weights. Every rank must hold a model of the same architecture.
    public func broadcastState(from root: Int = 0, over group: any ProcessGroup) {
        guard group.size > 1 else { return }
        for (_, parameter) in namedParameters() {
            parameter.update { group.broadcast($0, from: root) }
        }
        for (_, buffer) in namedBuffers() {
            group.broadcast(&buffer.value, from: root)
        }
    }
}
