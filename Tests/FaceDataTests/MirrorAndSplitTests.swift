import Foundation
import TestSupport
import Testing
import Vision

@testable import FaceData

@Suite("Mirror maps and splits")
struct MirrorAndSplitTests {
    @Test("both mirror maps are involutions and swap the eyes")
    func involutions() {
        for map in [MirrorMap.ibug68, MirrorMap.imm58] {
            #expect(map.permutation.indices.allSatisfy { map.permutation[map.permutation[$0]] == $0 })
            #expect(Set(map.permutation) == Set(map.permutation.indices))
        }
        // iBUG: 36-41 (image-left eye) <-> 42-47; outer corners 36 <-> 45.
        #expect(Set((36...41).map { MirrorMap.ibug68.permutation[$0] }) == Set(42...47))
        #expect(MirrorMap.ibug68.permutation[36] == 45 && MirrorMap.ibug68.permutation[30] == 30)
        #expect(MirrorMap.ibug68.permutation[0] == 16 && MirrorMap.ibug68.permutation[8] == 8)
        // IMM: eye paths 1 (13-20) <-> 2 (21-28); the nose tip 52 stays.
        #expect(Set((13...20).map { MirrorMap.imm58.permutation[$0] }) == Set(21...28))
        #expect(MirrorMap.imm58.permutation[52] == 52)
        #expect(MirrorMap.imm58.restricted(to: [52]) == MirrorMap.identity(1))
        #expect(MirrorMap.ibug68.restricted(to: [36, 45, 30]) == MirrorMap([1, 0, 2]))
        #expect(MirrorMap.ibug68.restricted(to: [36, 30]) == nil)
    }

    /// Mirrors `points` in an image of `width` and reorders them with `map`.
    static func flip(_ points: [SIMD2<Float>], width: Float, _ map: MirrorMap) -> [SIMD2<Float>] {
        map.reorder(points.map { SIMD2(width - $0.x, $0.y) })
    }

    @Test("the IMM map re-derived from the frontal shapes equals the committed constant")
    func immMapFromData() throws {
        var sum = [SIMD2<Float>](repeating: .zero, count: 58)
        var n = 0
        for url in SharedData.files(in: SharedData.imm, extension: "asf")
        where [1, 2, 5].contains(DataSplit.immView(of: url.lastPathComponent)) {
            let points = try ASFShape(contentsOf: url).keypoints(imageWidth: 640, imageHeight: 480)
            for i in 0..<58 { sum[i] += points[i] }
            n += 1
        }
        #expect(n == 120)
        let mean: [SIMD2<Float>] = sum.map { $0 / Float(n) }
        let cx: Float = mean.map(\.x).reduce(Float(0)) { $0 + $1 } / 58
        let mirrored = mean.map { SIMD2(2 * cx - $0.x, $0.y) }
        let derived = mirrored.map { m in mean.indices.min { simd_distance(mean[$0], m) < simd_distance(mean[$1], m) }!
        }
        #expect(derived == MirrorMap.imm58.permutation)
        // Flipping the mean shape with the map gives (nearly) the mean shape again.
        let flipped = Self.flip(mean, width: 2 * cx, .imm58)
        let worst = zip(flipped, mean).map { simd_distance($0, $1) }.max()!
        #expect(worst < 5, "largest distance \(worst) px")
        // Matches the fixture written by scripts/fixtures/facedata_imm_mirror.py.
        let fixture = try Fixture("facedata_imm_mirror")
        #expect(try fixture.tensor("permutation").scalars.map { Int($0) } == MirrorMap.imm58.permutation)
    }

    @Test("the iBUG map flips real 300-W shapes onto themselves (mean shape)")
    func ibugMapOnData() throws {
        var sum = [SIMD2<Float>](repeating: .zero, count: 68)
        let files = SharedData.w300Pts
        for url in files {
            let points = try PTSFile.read(url)
            let box = BoundingBox(enclosing: points)
            for i in 0..<68 { sum[i] += (points[i] - box.center) / max(box.width, box.height) }
        }
        let mean = sum.map { $0 / Float(files.count) }
        let flipped = Self.flip(mean, width: 0, .ibug68)
        let worst = zip(flipped, mean).map { simd_distance($0, $1) }.max()!
        #expect(worst < 0.03, "largest distance \(worst) of the face size")
        // And a wrong map (identity) is far off, so the check can fail.
        let wrong = Self.flip(mean, width: 0, .identity(68))
        #expect(zip(wrong, mean).map { simd_distance($0, $1) }.max()! > 0.3)
    }

    @Test("seeded split: sizes for fraction 0.1, disjoint, complete, deterministic by seed")
    func seededSplit() {
        let a = DataSplit.seeded(count: 1207, validationFraction: 0.1, seed: 42)
        #expect(a.train.count == 1086 && a.validation.count == 121)
        #expect(Set(a.train).isDisjoint(with: a.validation))
        #expect(Set(a.train + a.validation) == Set(0..<1207))
        let b = DataSplit.seeded(count: 1207, validationFraction: 0.1, seed: 42)
        #expect(a.train == b.train && a.validation == b.validation)
        let c = DataSplit.seeded(count: 1207, validationFraction: 0.1, seed: 43)
        #expect(c.validation != a.validation)
        #expect(DataSplit.seeded(count: 10, validationFraction: 0, seed: 1).validation.isEmpty)
        #expect(DataSplit.seeded(count: 10, validationFraction: 1, seed: 1).train.isEmpty)
    }

    @Test("IMM file names: person and view")
    func immNames() {
        #expect(DataSplit.immPerson(of: "/x/33-1m.asf") == 33 && DataSplit.immView(of: "33-1m.asf") == 1)
        #expect(DataSplit.immPerson(of: "08-6f.jpg") == 8 && DataSplit.immView(of: "08-6f.jpg") == 6)
        #expect(DataSplit.immPerson(of: "labels.xml") == nil)
    }
}

func simd_distance(_ a: SIMD2<Float>, _ b: SIMD2<Float>) -> Float {
    let d = a - b
    return (d * d).sum().squareRoot()
}
