#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Affine2D {
    /// The similarity transform (rotation, uniform scale, translation; no reflection, no shear)
    /// that maps `source` closest to `target` in the least-squares sense: it minimizes
    /// `Σ |T(source[i]) - target[i]|²`. This is Umeyama's solution restricted to proper
    /// rotations; in two dimensions it has the closed form used here, computed in `Double`.
    ///
    /// Nil when the lists differ in length, hold fewer than two points or a non-finite
    /// coordinate, or when the source points all coincide (no scale or rotation is defined).
    ///
    /// ```swift
    /// // A face's five points onto ArcFace's 112x112 template:
    /// let toCrop = Affine2D.similarity(mapping: facePoints, to: AlignmentTemplate.arcface.points)
    /// ```
    public static func similarity(mapping source: [Point], to target: [Point]) -> Affine2D? {
        guard source.count == target.count, source.count >= 2,
            (source + target).allSatisfy({ $0.x.isFinite && $0.y.isFinite })
        else { return nil }
        let count = Double(source.count)
        let sourceMean = source.reduce(SIMD2<Double>.zero) { $0 + SIMD2<Double>($1) } / count
        let targetMean = target.reduce(SIMD2<Double>.zero) { $0 + SIMD2<Double>($1) } / count
        // With centered s and t, the best map is t ≈ [[p, -q], [q, p]] s:
        // p = Σ(s·t) / Σ|s|², q = Σ(s×t) / Σ|s|².
        var dot = 0.0, cross = 0.0, spread = 0.0
        for (s, t) in zip(source, target) {
            let u = SIMD2<Double>(s) - sourceMean, v = SIMD2<Double>(t) - targetMean
            dot += u.x * v.x + u.y * v.y
            cross += u.x * v.y - u.y * v.x
            spread += u.x * u.x + u.y * u.y
        }
        guard spread > 1e-12 * Swift.max(1, (sourceMean * sourceMean).sum()) else { return nil }
        let p = dot / spread, q = cross / spread
        let tx = targetMean.x - (p * sourceMean.x - q * sourceMean.y)
        let ty = targetMean.y - (q * sourceMean.x + p * sourceMean.y)
        return Affine2D(a: Float(p), b: Float(-q), tx: Float(tx), c: Float(q), d: Float(p), ty: Float(ty))
    }

    /// The uniform scale of a similarity transform (for others, the geometric mean of the axis
    /// scales): how many output pixels one source pixel becomes.
    public var similarityScale: Float { abs(determinant).squareRoot() }

    /// The angle of a similarity transform in degrees, the one ``rotation(degrees:about:)``
    /// takes: positive turns counterclockwise on screen.
    public var rotationDegrees: Float { atan2(-c, a) * 180 / .pi }
}
