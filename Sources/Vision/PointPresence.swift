extension SIMD2 where Scalar == Float {
    /// A keypoint the annotation leaves out (NaN coordinates): masked out of losses and metrics.
    public static var absent: SIMD2<Float> { SIMD2(.nan, .nan) }

    /// Whether the point is annotated (both coordinates finite).
    public var isPresent: Bool { x.isFinite && y.isFinite }
}
