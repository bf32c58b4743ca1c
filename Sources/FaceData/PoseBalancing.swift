import Foundation
import Vision

/// Pose-based data balancing (Feng et al., "Wing Loss for Robust Facial Landmark Localisation
/// with Convolutional Neural Networks", CVPR 2018, section 5): turned faces are rare in
/// landmark datasets, so training draws them more often. Each face's shape is aligned to the
/// mean shape (translation, rotation and scale removed), its coordinate on the aligned shapes'
/// first principal component (for faces mostly the head's yaw) is put into one of equal-width
/// bins, and a face in a bin of `n` faces is drawn with a weight `(largest bin / n)^strength`.
///
/// Works for any point scheme: it needs only the annotated shapes.
public enum PoseBalancing {
    /// The bins of the Wing-loss paper.
    public static let defaultBins = 13

    /// Each shape's coordinate on the first principal component of the shapes after
    /// similarity alignment to their mean (generalized Procrustes analysis), over the points
    /// every shape has (absent points are NaN); all 0 with fewer than two such points. The
    /// sign of the component is arbitrary.
    ///
    /// Shape: `shapes` N shapes of the same P points -> N coordinates.
    public static func poseCoordinates(_ shapes: [[Point]]) -> [Double] {
        guard let first = shapes.first else { return [] }
        precondition(
            shapes.allSatisfy { $0.count == first.count },
            "PoseBalancing: every shape needs the same \(first.count) points")
        let shared = first.indices.filter { k in shapes.allSatisfy { !$0[k].x.isNaN && !$0[k].y.isNaN } }
        guard shapes.count > 1, shared.count > 1 else { return [Double](repeating: 0, count: shapes.count) }
        let aligned = alignedToMean(shapes.map { shape in centeredUnitShape(shared.map { shape[$0] }) })
        return firstComponentCoordinates(aligned)
    }

    /// Sampling weights balancing the faces' poses: `(largest bin / bin of the face)^strength`
    /// over `bins` equal-width bins of ``poseCoordinates(_:)``. Strength 0 weighs every face
    /// alike; 1 draws every bin equally often.
    ///
    /// Shape: N shapes -> N weights, each at least 1.
    public static func samplingWeights(_ shapes: [[Point]], strength: Double, bins: Int = defaultBins) -> [Double] {
        precondition(
            strength >= 0 && bins >= 1, "PoseBalancing: expected strength >= 0 and bins >= 1, got \(strength), \(bins)")
        let coordinates = poseCoordinates(shapes)
        guard let low = coordinates.min(), let high = coordinates.max(), high > low else {
            return [Double](repeating: 1, count: shapes.count)
        }
        let bin = coordinates.map { Swift.min(bins - 1, Int(($0 - low) / (high - low) * Double(bins))) }
        var counts = [Int](repeating: 0, count: bins)
        for b in bin { counts[b] += 1 }
        let largest = Double(counts.max()!)
        return bin.map { pow(largest / Double(counts[$0]), strength) }
    }

    /// The shape as complex numbers `x + iy` (pairs), centered on its centroid and scaled to unit norm.
    private static func centeredUnitShape(_ shape: [Point]) -> [(Double, Double)] {
        let n = Double(shape.count)
        let cx = shape.reduce(0) { $0 + Double($1.x) } / n, cy = shape.reduce(0) { $0 + Double($1.y) } / n
        let centered = shape.map { (Double($0.x) - cx, Double($0.y) - cy) }
        let norm = centered.reduce(0) { $0 + $1.0 * $1.0 + $1.1 * $1.1 }.squareRoot()
        return norm > 0 ? centered.map { ($0.0 / norm, $0.1 / norm) } : centered
    }

    /// Generalized Procrustes analysis on centered unit shapes: each shape rotated and scaled
    /// onto the mean shape (the least-squares similarity, `a = Σ conj(z) m / Σ |z|²` in complex
    /// numbers), the mean recomputed, until it settles.
    private static func alignedToMean(_ shapes: [[(Double, Double)]]) -> [[(Double, Double)]] {
        var mean = shapes[0], aligned = shapes
        for _ in 0..<10 {
            aligned = shapes.map { z in
                var (re, im, squares) = (0.0, 0.0, 0.0)
                for (p, m) in zip(z, mean) {
                    re += p.0 * m.0 + p.1 * m.1
                    im += p.0 * m.1 - p.1 * m.0
                    squares += p.0 * p.0 + p.1 * p.1
                }
                guard squares > 0 else { return z }
                let (ar, ai) = (re / squares, im / squares)
                return z.map { (ar * $0.0 - ai * $0.1, ar * $0.1 + ai * $0.0) }
            }
            var next = [(Double, Double)](repeating: (0, 0), count: mean.count)
            for shape in aligned {
                for (k, p) in shape.enumerated() {
                    next[k].0 += p.0
                    next[k].1 += p.1
                }
            }
            let norm = next.reduce(0) { $0 + $1.0 * $1.0 + $1.1 * $1.1 }.squareRoot()
            guard norm > 0 else { break }
            mean = next.map { ($0.0 / norm, $0.1 / norm) }
        }
        return aligned
    }

    /// The coordinates of the rows on their first principal component (power iteration on the
    /// centered rows' scatter matrix).
    private static func firstComponentCoordinates(_ shapes: [[(Double, Double)]]) -> [Double] {
        let rows = shapes.map { $0.flatMap { [$0.0, $0.1] } }
        let dimension = rows[0].count
        var mean = [Double](repeating: 0, count: dimension)
        for row in rows { for j in 0..<dimension { mean[j] += row[j] / Double(rows.count) } }
        let centered = rows.map { row in (0..<dimension).map { row[$0] - mean[$0] } }
        func project(_ v: [Double]) -> [Double] { centered.map { row in zip(row, v).reduce(0) { $0 + $1.0 * $1.1 } } }
        // Start from the row farthest from the mean: never orthogonal to every row.
        var direction = centered.max { $0.reduce(0) { $0 + $1 * $1 } < $1.reduce(0) { $0 + $1 * $1 } }!
        for _ in 0..<200 {
            let coordinates = project(direction)
            var next = [Double](repeating: 0, count: dimension)
            for (row, c) in zip(centered, coordinates) { for j in 0..<dimension { next[j] += c * row[j] } }
            let norm = next.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { break }
            direction = next.map { $0 / norm }
        }
        return project(direction)
    }
}
