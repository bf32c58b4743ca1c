/// A rigid 3D face for head pose: 51 points of the iBUG 68-point scheme (17-67: brows, nose,
/// eyes, mouth; not the jaw line 0-16, whose annotated points slide along the face's outline
/// as it turns) on MediaPipe's canonical face model.
///
/// Source: `mediapipe/modules/face_geometry/data/canonical_face_model.obj` of Google's
/// MediaPipe (https://github.com/google-ai-edge/mediapipe), copyright The MediaPipe Authors,
/// under the Apache License 2.0 (this package's own licence, LICENSE). Each point is
/// one vertex of that mesh, copied unchanged (centimeters; x to the face's left as seen from
/// the front, so the image's right; y up; z out of the face, toward a camera in front). The
/// vertex chosen for each iBUG point follows the usual MediaPipe-to-dlib correspondence;
/// `scripts/face_model_points.py` regenerates this table from the .obj file and checks it
/// against the mean 300-W face (mean distance 2.6 % of the outer-eye-corner distance).
public enum FaceModel3D {
    /// The first iBUG-68 point the model has (17); it has every point from there to 67.
    public static let firstPoint = 17

    /// The model's points in iBUG order 17...67: (iBUG index, mesh vertex, position in cm).
    public static let points: [(ibug: Int, vertex: Int, position: SIMD3<Double>)] = [
        (17, 70, SIMD3<Double>(-5.720968, 4.254584, 2.830852)),
        (18, 63, SIMD3<Double>(-4.985894, 4.802461, 3.751977)),
        (19, 105, SIMD3<Double>(-3.986562, 5.109487, 4.466315)),
        (20, 66, SIMD3<Double>(-2.760292, 5.100971, 5.015990)),
        (21, 107, SIMD3<Double>(-1.395634, 5.011963, 5.316032)),
        (22, 336, SIMD3<Double>(1.395634, 5.011963, 5.316032)),
        (23, 296, SIMD3<Double>(2.760292, 5.100971, 5.015990)),
        (24, 334, SIMD3<Double>(3.986562, 5.109487, 4.466315)),
        (25, 293, SIMD3<Double>(4.985894, 4.802461, 3.751977)),
        (26, 300, SIMD3<Double>(5.720968, 4.254584, 2.830852)),
        (27, 168, SIMD3<Double>(0.000000, 3.271027, 5.236015)),
        (28, 197, SIMD3<Double>(0.000000, 1.728369, 6.316750)),
        (29, 5, SIMD3<Double>(0.000000, 0.365669, 7.242870)),
        (30, 4, SIMD3<Double>(0.000000, -0.463170, 7.586580)),
        (31, 75, SIMD3<Double>(-1.043625, -1.464973, 5.662455)),
        (32, 97, SIMD3<Double>(-0.597442, -2.013686, 5.866456)),
        (33, 2, SIMD3<Double>(0.000000, -2.089024, 6.058267)),
        (34, 326, SIMD3<Double>(0.597442, -2.013686, 5.866456)),
        (35, 305, SIMD3<Double>(1.043625, -1.464973, 5.662455)),
        (36, 33, SIMD3<Double>(-4.445859, 2.663991, 3.173422)),
        (37, 160, SIMD3<Double>(-3.670075, 2.927714, 3.724325)),
        (38, 158, SIMD3<Double>(-2.724032, 2.961810, 3.871767)),
        (39, 133, SIMD3<Double>(-1.856432, 2.585245, 3.757904)),
        (40, 153, SIMD3<Double>(-2.724032, 2.315802, 3.777151)),
        (41, 144, SIMD3<Double>(-3.670075, 2.360153, 3.635230)),
        (42, 362, SIMD3<Double>(1.856432, 2.585245, 3.757904)),
        (43, 385, SIMD3<Double>(2.724032, 2.961810, 3.871767)),
        (44, 387, SIMD3<Double>(3.670075, 2.927714, 3.724325)),
        (45, 263, SIMD3<Double>(4.445859, 2.663991, 3.173422)),
        (46, 373, SIMD3<Double>(3.670075, 2.360153, 3.635230)),
        (47, 380, SIMD3<Double>(2.724032, 2.315802, 3.777151)),
        (48, 61, SIMD3<Double>(-2.456206, -4.342621, 4.283884)),
        (49, 39, SIMD3<Double>(-1.431615, -3.500953, 5.496189)),
        (50, 37, SIMD3<Double>(-0.711452, -3.329355, 5.877044)),
        (51, 0, SIMD3<Double>(0.000000, -3.406404, 5.979507)),
        (52, 267, SIMD3<Double>(0.711452, -3.329355, 5.877044)),
        (53, 269, SIMD3<Double>(1.431615, -3.500953, 5.496189)),
        (54, 291, SIMD3<Double>(2.456206, -4.342621, 4.283884)),
        (55, 405, SIMD3<Double>(1.325085, -5.106507, 5.205010)),
        (56, 314, SIMD3<Double>(0.699606, -5.291850, 5.448304)),
        (57, 17, SIMD3<Double>(0.000000, -5.365123, 5.535441)),
        (58, 84, SIMD3<Double>(-0.699606, -5.291850, 5.448304)),
        (59, 181, SIMD3<Double>(-1.325085, -5.106507, 5.205010)),
        (60, 78, SIMD3<Double>(-2.153084, -4.276322, 4.038093)),
        (61, 82, SIMD3<Double>(-0.533422, -3.993222, 5.138202)),
        (62, 13, SIMD3<Double>(0.000000, -3.994436, 5.219482)),
        (63, 312, SIMD3<Double>(0.533422, -3.993222, 5.138202)),
        (64, 308, SIMD3<Double>(2.153084, -4.276322, 4.038093)),
        (65, 317, SIMD3<Double>(0.583218, -4.517982, 5.339869)),
        (66, 14, SIMD3<Double>(0.000000, -4.542400, 5.404754)),
        (67, 87, SIMD3<Double>(-0.583218, -4.517982, 5.339869))
    ]
}
