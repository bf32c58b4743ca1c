#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A rigid 3D face (``FaceModel3D``) fitted to a face's landmarks under a pinhole camera: the
/// head pose, where the head is, and how well the model fits.
///
/// The camera: its center is the photo's center, no lens distortion, and its focal length, unless
/// given, ``defaultFocalLength(width:height:)``: twice the photo's longer side in pixels (a
/// field of view of 28 degrees across it, a portrait lens's; faces 0.5-2 m away). The angles
/// depend on it a little: a shorter focal length gives smaller angles for the same points
/// (Docs/Alignment.md measures by how much). The fit minimizes the squared distances in pixels between iBUG points 17-67 and
/// the model's projected points over the rotation and the translation (Levenberg-Marquardt,
/// started from five yaws from -60 to 60 degrees; the best fit is kept).
public struct HeadPoseFit: Sendable {
    /// The angles.
    public var pose: HeadPose
    /// The rotation, rows of a 3x3 matrix: model coordinates (x right, y down, z away from the
    /// camera, a face that looks into the camera unrotated) to camera coordinates.
    public var rotation: [SIMD3<Double>]
    /// Where the model's origin is in camera coordinates, in the model's centimeters.
    public var translation: SIMD3<Double>
    /// The camera's focal length in pixels.
    public var focalLength: Double
    /// The camera's center in pixels (the photo's center).
    public var center: SIMD2<Double>
    /// The root-mean-square distance between the landmarks and the model's projected points,
    /// in pixels.
    public var reprojectionError: Double

    /// The model's points in camera-aligned model coordinates: MediaPipe's (x right as seen, y
    /// up, z toward the viewer) with y and z negated.
    static let modelPoints: [SIMD3<Double>] = FaceModel3D.points.map {
        SIMD3($0.position.x, -$0.position.y, -$0.position.z)
    }

    /// The focal length a photo's camera is taken to have, in pixels: twice its longer side.
    public static func defaultFocalLength(width: Int, height: Int) -> Double { 2 * Double(Swift.max(width, height)) }

    /// Fits the model to `points`, a face's 68 iBUG points in pixels of a `width x height`
    /// photo taken with `focalLength` pixels (nil: ``defaultFocalLength(width:height:)``). Nil
    /// when there are not 68 finite points, the size or the focal length is not positive, or no
    /// fit converges to a pose in front of the camera.
    public static func fit(points: [Point], width: Int, height: Int, focalLength: Double? = nil) -> HeadPoseFit? {
        let focal = focalLength ?? defaultFocalLength(width: width, height: height)
        guard points.count == 68, width > 0, height > 0, focal.isFinite, focal > 0,
            points.allSatisfy({ $0.x.isFinite && $0.y.isFinite })
        else { return nil }
        let observed = points[FaceModel3D.firstPoint...].map { SIMD2<Double>(Double($0.x), Double($0.y)) }
        let camera = Camera(focal: focal, center: SIMD2(Double(width) / 2, Double(height) / 2))
        var best: (rotation: [SIMD3<Double>], translation: SIMD3<Double>, cost: Double)?
        for yaw in stride(from: -60.0, through: 60, by: 30) {
            let start = HeadPose(yaw: Float(yaw), pitch: 0, roll: 0).rotation
            guard
                let fitted = levenbergMarquardt(
                    rotation: start, translation: camera.initialTranslation(for: observed, rotation: start),
                    observed: observed, camera: camera),
                fitted.cost < best?.cost ?? .infinity
            else { continue }
            best = fitted
        }
        guard let best else { return nil }
        return HeadPoseFit(
            pose: HeadPose(rotation: best.rotation), rotation: best.rotation, translation: best.translation,
            focalLength: camera.focal, center: camera.center,
            reprojectionError: (best.cost / Double(observed.count)).squareRoot())
    }

    /// Where a point in model coordinates (see ``rotation``) appears in the photo, or nil
    /// behind the camera.
    public func project(_ point: SIMD3<Double>) -> Point? {
        Camera(focal: focalLength, center: center).project(HeadPoseFit.apply(rotation, point) + translation).map {
            Point(Float($0.x), Float($0.y))
        }
    }

    /// A pinhole camera without distortion.
    struct Camera {
        let focal: Double
        let center: SIMD2<Double>

        func project(_ p: SIMD3<Double>) -> SIMD2<Double>? {
            guard p.z > 1e-6 else { return nil }
            return SIMD2(focal * p.x / p.z + center.x, focal * p.y / p.z + center.y)
        }

        /// A translation that puts the rotated model's centroid under the points' centroid at
        /// the depth that gives it their spread.
        func initialTranslation(for observed: [SIMD2<Double>], rotation: [SIMD3<Double>]) -> SIMD3<Double> {
            let model = HeadPoseFit.modelPoints.map { HeadPoseFit.apply(rotation, $0) }
            let modelMean = model.reduce(.zero, +) / Double(model.count)
            let imageMean = observed.reduce(.zero, +) / Double(observed.count)
            let modelSpread = model.map { ($0 - modelMean) * ($0 - modelMean) }.map { $0.x + $0.y }.reduce(0, +)
            let imageSpread = observed.map { ($0 - imageMean) * ($0 - imageMean) }.map { $0.x + $0.y }.reduce(0, +)
            let depth = focal * (modelSpread / Swift.max(imageSpread, 1e-9)).squareRoot()
            let target = SIMD3(
                (imageMean.x - center.x) * depth / focal, (imageMean.y - center.y) * depth / focal, depth)
            return target - modelMean
        }
    }

    /// Levenberg-Marquardt on the rotation (a small rotation `exp([w]x)` applied on the left
    /// each step) and the translation; the sum of squared pixel distances and the fit, or nil
    /// when the model ends behind the camera.
    static func levenbergMarquardt(
        rotation start: [SIMD3<Double>], translation startTranslation: SIMD3<Double>, observed: [SIMD2<Double>],
        camera: Camera
    ) -> (rotation: [SIMD3<Double>], translation: SIMD3<Double>, cost: Double)? {
        var rotation = start, translation = startTranslation
        func cost(_ r: [SIMD3<Double>], _ t: SIMD3<Double>) -> Double? {
            var total = 0.0
            for (point, seen) in zip(modelPoints, observed) {
                guard let projected = camera.project(apply(r, point) + t) else { return nil }
                let d = projected - seen
                total += d.x * d.x + d.y * d.y
            }
            return total
        }
        guard var current = cost(rotation, translation) else { return nil }
        var damping = 1e-3
        for _ in 0..<200 {
            // Normal equations J^T J and J^T r of the six parameters (w, t).
            var normal = [[Double]](repeating: [Double](repeating: 0, count: 6), count: 6)
            var gradient = [Double](repeating: 0, count: 6)
            for (point, seen) in zip(modelPoints, observed) {
                let rotated = apply(rotation, point)
                let p = rotated + translation
                guard p.z > 1e-6 else { return nil }
                let f = camera.focal, inverseZ = 1 / p.z
                let residual = SIMD2(f * p.x * inverseZ + camera.center.x, f * p.y * inverseZ + camera.center.y) - seen
                // d(projection)/dp; dp/dw = -[rotated]x, so d(projection)/dw = rotated x d/dp;
                // dp/dt = identity.
                let du = SIMD3(f * inverseZ, 0, -f * p.x * inverseZ * inverseZ)
                let dv = SIMD3(0, f * inverseZ, -f * p.y * inverseZ * inverseZ)
                for (row, r) in [(du, residual.x), (dv, residual.y)] {
                    let dw = SIMD3(
                        rotated.y * row.z - rotated.z * row.y, rotated.z * row.x - rotated.x * row.z,
                        rotated.x * row.y - rotated.y * row.x)
                    let j = [dw.x, dw.y, dw.z, row.x, row.y, row.z]
                    for a in 0..<6 {
                        gradient[a] += j[a] * r
                        for b in 0..<6 { normal[a][b] += j[a] * j[b] }
                    }
                }
            }
            var improved = false
            while damping < 1e12 {
                var system = normal
                for a in 0..<6 { system[a][a] += damping * Swift.max(normal[a][a], 1e-12) }
                guard let step = solve(system, gradient.map { -$0 }) else { break }
                let candidateRotation = product(exponential(SIMD3(step[0], step[1], step[2])), rotation)
                let candidateTranslation = translation + SIMD3(step[3], step[4], step[5])
                if let next = cost(candidateRotation, candidateTranslation), next < current {
                    let relative = (current - next) / Swift.max(current, 1e-12)
                    (rotation, translation, current) = (candidateRotation, candidateTranslation, next)
                    damping = Swift.max(damping / 10, 1e-12)
                    improved = relative > 1e-12
                    break
                }
                damping *= 10
            }
            if !improved { break }
        }
        return (rotation, translation, current)
    }

    /// `m * v` for a matrix given by its rows.
    static func apply(_ m: [SIMD3<Double>], _ v: SIMD3<Double>) -> SIMD3<Double> {
        SIMD3((m[0] * v).sum(), (m[1] * v).sum(), (m[2] * v).sum())
    }

    /// `a * b` for matrices given by their rows.
    static func product(_ a: [SIMD3<Double>], _ b: [SIMD3<Double>]) -> [SIMD3<Double>] {
        a.map { row in b[0] * row.x + b[1] * row.y + b[2] * row.z }
    }

    /// The rotation `exp([w]x)` (Rodrigues' formula).
    static func exponential(_ w: SIMD3<Double>) -> [SIMD3<Double>] {
        let angle = (w * w).sum().squareRoot()
        guard angle > 1e-15 else { return [[1, 0, 0], [0, 1, 0], [0, 0, 1]] }
        let k = w / angle, c = cos(angle), s = sin(angle), t = 1 - c
        return [
            [c + k.x * k.x * t, k.x * k.y * t - k.z * s, k.x * k.z * t + k.y * s],
            [k.y * k.x * t + k.z * s, c + k.y * k.y * t, k.y * k.z * t - k.x * s],
            [k.z * k.x * t - k.y * s, k.z * k.y * t + k.x * s, c + k.z * k.z * t]
        ]
    }

    /// Solves the 6x6 system `a x = b` by Gaussian elimination with partial pivoting; nil when
    /// it is singular.
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double]? {
        var m = a, x = b
        let n = b.count
        for column in 0..<n {
            guard let pivot = (column..<n).max(by: { abs(m[$0][column]) < abs(m[$1][column]) }),
                abs(m[pivot][column]) > 1e-300
            else { return nil }
            m.swapAt(column, pivot)
            x.swapAt(column, pivot)
            for row in (column + 1)..<n {
                let factor = m[row][column] / m[column][column]
                for k in column..<n { m[row][k] -= factor * m[column][k] }
                x[row] -= factor * x[column]
            }
        }
        for row in stride(from: n - 1, through: 0, by: -1) {
            var sum = x[row]
            for k in (row + 1)..<n { sum -= m[row][k] * x[k] }
            x[row] = sum / m[row][row]
        }
        return x
    }
}
