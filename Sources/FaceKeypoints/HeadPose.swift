#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which way a head is turned, in degrees, from its 68 landmarks.
///
/// The angles rotate a face that looks straight into the camera into the photographed one,
/// applied in the order pitch, yaw, roll (about the camera's axes):
/// - **yaw**: turning left or right; positive when the face turns toward the image's right
///   (its nose points right in the photo, the person looking to their own left);
/// - **pitch**: nodding; positive when the face tilts up (the nose points up in the photo);
/// - **roll**: tilting the head sideways in the image plane; positive counterclockwise on screen,
///   the sense of `Affine2D.rotation(degrees:about:)`.
///
/// A mirrored photo has the same pitch and the opposite yaw and roll. See ``HeadPoseFit`` for
/// how the angles are found.
public struct HeadPose: Codable, Sendable, Equatable {
    /// Left-right turn in degrees; positive toward the image's right.
    public var yaw: Float
    /// Up-down tilt in degrees; positive up.
    public var pitch: Float
    /// In-plane tilt in degrees; positive counterclockwise on screen.
    public var roll: Float

    /// A pose from its three angles in degrees.
    public init(yaw: Float, pitch: Float, roll: Float) {
        self.yaw = yaw
        self.pitch = pitch
        self.roll = roll
    }

    /// The rotation these angles describe, rows of a 3x3 matrix in camera coordinates (x right,
    /// y down, z away from the camera): `Rz(-roll) Ry(-yaw) Rx(-pitch)`.
    public var rotation: [SIMD3<Double>] {
        let radians = { (degrees: Float) in Double(degrees) * .pi / 180 }
        let (a, b, c) = (-radians(roll), -radians(yaw), -radians(pitch))
        let rz: [SIMD3<Double>] = [[cos(a), -sin(a), 0], [sin(a), cos(a), 0], [0, 0, 1]]
        let ry: [SIMD3<Double>] = [[cos(b), 0, sin(b)], [0, 1, 0], [-sin(b), 0, cos(b)]]
        let rx: [SIMD3<Double>] = [[1, 0, 0], [0, cos(c), -sin(c)], [0, sin(c), cos(c)]]
        return HeadPoseFit.product(rz, HeadPoseFit.product(ry, rx))
    }

    /// The angles of a rotation matrix (rows, camera coordinates), the inverse of ``rotation``.
    public init(rotation r: [SIMD3<Double>]) {
        let degrees = { (radians: Double) in Float(radians * 180 / .pi) }
        yaw = degrees(asin(Swift.max(-1, Swift.min(1, r[2][0]))))
        pitch = degrees(-atan2(r[2][1], r[2][2]))
        roll = degrees(-atan2(r[1][0], r[0][0]))
    }
}
