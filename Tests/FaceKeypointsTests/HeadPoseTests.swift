import FaceKeypoints
import Foundation
import TestSupport
import Testing

/// Head pose from 68 points: the 3D model, the angles' convention, known poses recovered from
/// noisy projections, and on real faces (the shipped model through `keypoints predict`): a
/// photo against its mirror, and IMM's turned and frontal views.
@Suite struct HeadPoseTests {
    /// The 68 points a face in `pose` shows to a camera with focal length `focal` centered in a
    /// 640x480 photo, `distance` cm away, with Gaussian noise of `noise` pixels; the jaw line
    /// (which the fit ignores) at the nose tip.
    func projected(
        _ pose: HeadPose, distance: Double, focal: Double, noise: Double, random: inout RandomGenerator
    ) -> [Point] {
        let rotation = pose.rotation
        let model = FaceModel3D.points.map { SIMD3($0.position.x, -$0.position.y, -$0.position.z) }
        var points = model.map { p -> Point in
            let q = SIMD3(
                (rotation[0] * p).sum() + 1.5, (rotation[1] * p).sum() - 2, (rotation[2] * p).sum() + distance)
            func gaussian() -> Double {
                let u = Double.random(in: 1e-12..<1, using: &random), v = Double.random(in: 0..<1, using: &random)
                return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
            }
            return Point(
                Float(focal * q.x / q.z + 320 + noise * gaussian()), Float(focal * q.y / q.z + 240 + noise * gaussian())
            )
        }
        points.insert(contentsOf: [Point](repeating: points[30 - 17], count: 17), at: 0)
        return points
    }

    @Test func theAnglesAndTheRotationAreOneAnother() {
        for pose in [HeadPose(yaw: 40, pitch: -20, roll: 15), HeadPose(yaw: -60, pitch: 30, roll: -30)] {
            let back = HeadPose(rotation: pose.rotation)
            #expect(abs(back.yaw - pose.yaw) < 1e-4 && abs(back.pitch - pose.pitch) < 1e-4)
            #expect(abs(back.roll - pose.roll) < 1e-4)
        }
        // The sign convention: a positive yaw sends the nose (toward the camera, -z) to the
        // image's right (+x); a positive pitch up (-y); a positive roll turns the eye line
        // (+x) counterclockwise on screen (-y).
        let nose = SIMD3<Double>(0, 0, -1), right = SIMD3<Double>(1, 0, 0)
        #expect((HeadPose(yaw: 30, pitch: 0, roll: 0).rotation[0] * nose).sum() > 0.4)
        #expect((HeadPose(yaw: 0, pitch: 30, roll: 0).rotation[1] * nose).sum() < -0.4)
        #expect((HeadPose(yaw: 0, pitch: 0, roll: 30).rotation[1] * right).sum() < -0.4)
    }

    @Test func theModelIsSymmetricAsTheSchemeIs() {
        // Each point's mirror partner (iBUG's mirror map) sits at the mirrored position, so no
        // coordinate was copied wrong.
        let mirror = MirrorMap.ibug68.permutation
        let byIndex = Dictionary(uniqueKeysWithValues: FaceModel3D.points.map { ($0.ibug, $0.position) })
        #expect(FaceModel3D.points.map(\.ibug) == Array(17...67))
        for (index, position) in byIndex {
            let partner = try! #require(byIndex[mirror[index]])
            #expect(
                abs(partner.x + position.x) < 1e-6 && partner.y == position.y && partner.z == position.z, "\(index)")
        }
    }

    /// Yaw up to 60 degrees either way, pitch and roll up to 30, with 1 px of noise: within 2 degrees.
    @Test func knownPosesAreRecoveredFromNoisyPoints() throws {
        var random = RandomGenerator(seed: 39)
        var poses: [HeadPose] = []
        for yaw in stride(from: Float(-60), through: 60, by: 20) {
            for (pitch, roll) in [(Float(0), Float(0)), (-30, 30), (30, -30), (15, 10)] {
                poses.append(HeadPose(yaw: yaw, pitch: pitch, roll: roll))
            }
        }
        for _ in 0..<30 {
            poses.append(
                HeadPose(
                    yaw: .random(in: -60...60, using: &random), pitch: .random(in: -30...30, using: &random),
                    roll: .random(in: -30...30, using: &random)))
        }
        var worst: Float = 0
        for pose in poses {
            // A face about 170 px wide, 1 m away, as in a 640x480 portrait, and a camera with
            // the focal length the fit assumes; then a wide-angle camera 40 cm away, told.
            let points = projected(pose, distance: 100, focal: 1280, noise: 1, random: &random)
            let fit = try #require(HeadPoseFit.fit(points: points, width: 640, height: 480))
            let close = projected(pose, distance: 40, focal: 500, noise: 1, random: &random)
            let closeFit = try #require(HeadPoseFit.fit(points: close, width: 640, height: 480, focalLength: 500))
            #expect(
                abs(closeFit.pose.yaw - pose.yaw) < 2 && abs(closeFit.pose.pitch - pose.pitch) < 2
                    && abs(closeFit.pose.roll - pose.roll) < 2, "\(pose) recovered as \(closeFit.pose) at 40 cm")
            let error = max(
                abs(fit.pose.yaw - pose.yaw), abs(fit.pose.pitch - pose.pitch), abs(fit.pose.roll - pose.roll))
            worst = max(worst, error)
            #expect(error < 2, "\(pose) recovered as \(fit.pose)")
            #expect(fit.reprojectionError < 2, "\(fit.reprojectionError) px")
        }
        print("head pose: \(poses.count) poses, worst angle error \(worst) degrees")
    }

    @Test func whatCannotBeFittedIsNil() {
        let points = [Point](repeating: Point(1, 1), count: 68)
        #expect(HeadPoseFit.fit(points: Array(points.prefix(58)), width: 640, height: 480) == nil)
        #expect(HeadPoseFit.fit(points: points.map { _ in Point(.nan, 0) }, width: 640, height: 480) == nil)
        #expect(HeadPoseFit.fit(points: points, width: 0, height: 480) == nil)
        #expect(HeadPoseFit.fit(points: points, width: 640, height: 480, focalLength: -1) == nil)
    }

    /// The shipped model through `keypoints predict --pose-axes` on IMM people 01-10, views 1-5
    /// (the turned views 3 and 4 and the frontal 1, 2 and 5), and one turned photo with its
    /// mirror image.
    @Test func realFacesTurnTheWayTheyAreTurned() throws {
        let folder = try CommandRunner.temporaryDirectory("head-pose")
        defer { try? FileManager.default.removeItem(at: folder) }
        let photos = folder.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
        let imm = TestData.root.appendingPathComponent("imm_face_db")
        let names = try FileManager.default.contentsOfDirectory(atPath: imm.path).filter {
            $0.hasSuffix(".jpg") && Int($0.prefix(2))! <= 10 && "12345".contains($0.dropFirst(3).prefix(1))
        }
        #expect(names.count == 50)
        for name in names {
            try FileManager.default.copyItem(
                at: imm.appendingPathComponent(name), to: photos.appendingPathComponent(name))
        }
        let turned = try Image(contentsOf: imm.appendingPathComponent("01-3m.jpg"))
        try turned.warped(by: .horizontalFlip(width: turned.width), width: turned.width, height: turned.height).write(
            to: photos.appendingPathComponent("mirrored-01-3m.png"))
        let out = folder.appendingPathComponent("out")
        let run = try CommandRunner.run(["predict", photos.path, "--out", out.path, "--pose-axes"])
        #expect(run.status == 0, "\(run.error)")
        let records = try String(contentsOf: out.appendingPathComponent("predictions.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try JSONDecoder().decode(PhotoLandmarks.self, from: Data($0.utf8)) }
        var yaws: [Int: [Float]] = [:], pose: [String: HeadPose] = [:]
        for record in records {
            let name = URL(fileURLWithPath: record.image).deletingPathExtension().lastPathComponent
            // IMM photos hold one face; the largest is it.
            let face = try #require(record.faces.max { $0.box[2] < $1.box[2] }, "no face in \(name)")
            let facePose = try #require(face.pose, "no pose for \(name)")
            pose[name] = facePose
            if let view = Int(name.dropFirst(3).prefix(1)), !name.hasPrefix("mirrored") {
                yaws[view, default: []].append(facePose.yaw)
            }
        }
        let mean = { (view: Int) in yaws[view]!.reduce(0, +) / Float(yaws[view]!.count) }
        print("IMM 01-10 mean yaw by view: " + (1...5).map { "\($0): \(mean($0))" }.joined(separator: ", "))
        // Views 3 and 4 turn about 30 degrees to either side: to the person's right (the
        // image's left, negative yaw) and left.
        #expect(mean(3) < -20 && mean(3) > -40, "view 3: \(mean(3))")
        #expect(mean(4) > 20 && mean(4) < 40, "view 4: \(mean(4))")
        for view in [1, 2, 5] { #expect(abs(mean(view)) < 10, "view \(view): \(mean(view))") }
        // The drawing shows the axes: the blue one (the way the face looks) from the nose tip.
        let drawn = try Image(contentsOf: out.appendingPathComponent("01-3m_keypoints.png"))
        var blue = 0
        for y in 0..<drawn.height {
            for x in 0..<drawn.width where drawn[x, y, 2] > 0.9 && drawn[x, y, 0] < 0.1 && drawn[x, y, 1] < 0.1 {
                blue += 1
            }
        }
        #expect(blue > 50, "\(blue) blue pixels")
        // The mirror image: the same pitch, the opposite yaw and roll.
        let original = try #require(pose["01-3m"]), mirrored = try #require(pose["mirrored-01-3m"])
        #expect(
            abs(original.yaw + mirrored.yaw) < 3 && abs(original.roll + mirrored.roll) < 3, "\(original) \(mirrored)")
        #expect(abs(original.pitch - mirrored.pitch) < 3, "\(original) \(mirrored)")
    }
}
