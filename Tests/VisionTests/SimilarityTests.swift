import Foundation
import TestSupport
import Testing

@testable import Vision

/// `Affine2D.similarity(mapping:to:)` against Umeyama's least-squares solution in float64
/// (scripts/fixtures/vision_similarity.py), and on transforms it must recover exactly.
@Suite struct SimilarityTests {
    func points(_ fixture: Fixture, _ key: String) throws -> [Point] {
        let values = try fixture.tensor(key).scalars
        return stride(from: 0, to: values.count, by: 2).map { Point(values[$0], values[$0 + 1]) }
    }

    @Test(arguments: ["face_to_arcface", "mirrored_face", "noisy_68", "two_points"])
    func matchesUmeyamaInFloat64(_ name: String) throws {
        let fixture = try Fixture.shared("vision_similarity")
        let fitted = try #require(
            Affine2D.similarity(
                mapping: try points(fixture, "source_" + name), to: try points(fixture, "target_" + name)))
        let reference = try fixture.tensor("matrix_" + name).scalars
        let ours = [fitted.a, fitted.b, fitted.tx, fitted.c, fitted.d, fitted.ty]
        // The linear part within 1e-4; the translation (hundreds of pixels) within 1e-4 of its size.
        for (index, (mine, theirs)) in zip(ours, reference).enumerated() {
            let tolerance: Float = index % 3 == 2 ? 1e-4 * max(1, abs(theirs)) : 1e-4
            #expect(abs(mine - theirs) <= tolerance, "\(name) entry \(index): \(mine) vs Umeyama \(theirs)")
        }
    }

    @Test func recoversAKnownSimilarityWithItsAngleAndScale() throws {
        let source = [Point(10, 20), Point(200, 40), Point(120, 180), Point(30, 150), Point(90, 90)]
        let known = Affine2D.rotation(degrees: 35, about: Point(100, 100)).then(.scale(0.4)).then(
            .translation(dx: -7, dy: 12))
        let fitted = try #require(Affine2D.similarity(mapping: source, to: known.apply(source)))
        #expect(fitted.isApproximatelyEqual(to: known, tolerance: 1e-4), "\(fitted) vs \(known)")
        #expect(abs(fitted.rotationDegrees - 35) < 1e-3)
        #expect(abs(fitted.similarityScale - 0.4) < 1e-5)
    }

    @Test func refusesWhatDefinesNoTransform() {
        #expect(Affine2D.similarity(mapping: [Point(1, 1)], to: [Point(2, 2)]) == nil)
        #expect(Affine2D.similarity(mapping: [Point(1, 1), Point(1, 1)], to: [Point(0, 0), Point(5, 5)]) == nil)
        #expect(Affine2D.similarity(mapping: [Point(0, 0), Point(1, 1)], to: [Point(0, 0)]) == nil)
        #expect(Affine2D.similarity(mapping: [Point(0, .nan), Point(1, 1)], to: [Point(0, 0), Point(1, 0)]) == nil)
    }
}
