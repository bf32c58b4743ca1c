/// Whether differentiable operations record the graph. Off inside ``withoutGradients(_:)``.
public enum GradMode {
    /// Whether differentiable operations record the graph in the current task; `true` unless
    /// inside ``withoutGradients(_:)``.
    @TaskLocal public static var isEnabled = true
}
