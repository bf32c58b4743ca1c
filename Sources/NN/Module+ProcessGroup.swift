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

    /// Makes every ``BatchNorm2d`` of this model take its training statistics over all ranks of
    /// `group` (synchronized BatchNorm), or, with nil, over each rank's batch alone again.
    public func synchronizeBatchNorm(over group: (any ProcessGroup)?) {
        for (_, module) in namedModules() {
            (module as? BatchNorm2d)?.synchronization = group
        }
    }
}
