import Foundation
import TestSupport
import Testing
import Vision

@testable import FaceData

@Suite("Datasets: IMM, 300-W, dlib, crops, caching, bad samples")
struct DatasetTests {
    static let noCache: FaceDatasetConfiguration = {
        var c = FaceDatasetConfiguration.ibug()
        c.cache = .none
        return c
    }()

    @Test("IMM person split 192/48, nose tip and all points, samples map back to the photo")
    func imm() throws {
        var config = FaceDatasetConfiguration.immNoseTip()
        config.cache = .none
        let train = try FaceDataset.imm(folder: SharedData.imm, split: .train, configuration: config)
        let validation = try FaceDataset.imm(folder: SharedData.imm, split: .validation, configuration: config)
        #expect(train.count == 192 && validation.count == 48)
        #expect(Set(train.faces.map(\.identity)).isDisjoint(with: validation.faces.map(\.identity)))
        #expect(validation.faces.allSatisfy { (33...40).contains(DataSplit.immPerson(of: $0.identity)!) })
        #expect(train.pointCount == 1)
        let sample = try validation.sample(at: 3)
        #expect(sample.input.shape == [1, 60, 80])
        #expect(sample.target.shape == [2])
        let values = sample.input.scalars
        #expect(values.min()! >= -0.5 && values.max()! <= 0.5 && values.max()! - values.min()! > 0.5)
        // The target is the nose tip, scaled by 1/8 and normalized; it maps back to the photo.
        let shape = try ASFShape(
            contentsOf: SharedData.imm.appendingPathComponent(
                validation.faces[3].identity.replacingOccurrences(of: ".jpg", with: ".asf")))
        let nose = Point(Float(shape.points[52].x * 640), Float(shape.points[52].y * 480))
        let back = sample.info.originalKeypoints(fromPrediction: sample.target.scalars)
        #expect(simd_distance(back[0], nose) < 1e-3, "\(back[0]) vs \(nose)")
        #expect(abs(sample.target.scalars[0] - (nose.x / 8 - 40) / 40) < 1e-5)
        // All 58 points at 240x180.
        var all = FaceDatasetConfiguration.immFace()
        all.cache = .none
        let full = try FaceDataset.imm(folder: SharedData.imm, split: .validation, configuration: all)
        let s = try full.sample(at: 0)
        #expect(s.input.shape == [1, 180, 240] && s.target.shape == [116])
        #expect(s.target.scalars.allSatisfy { abs($0) < 1 })
    }

    @Test("300-W from labels.xml and from the .pts folder: 1207 faces that agree; seeded split")
    func w300Sources() throws {
        let fromXML = try FaceDataset.imglab(SharedData.labels, configuration: Self.noCache)
        let fromPts = try FaceDataset.pts(folder: SharedData.w300, configuration: Self.noCache)
        #expect(fromXML.count == 1207 && fromPts.count == 1207)
        #expect(fromXML.skipped.isEmpty && fromPts.skipped.isEmpty)
        let byIdentity = Dictionary(uniqueKeysWithValues: fromPts.faces.map { ($0.identity, $0) })
        for face in fromXML.faces {
            let other = try #require(byIdentity[face.identity], "\(face.identity)")
            #expect(face.imageWidth == other.imageWidth && face.imageHeight == other.imageHeight)
            let worst = zip(face.keypoints, other.keypoints).map { max(abs($0.x - $1.x), abs($0.y - $1.y)) }.max()!
            #expect(worst <= 0.501, "\(face.identity): \(worst)")
            #expect(abs(face.box.width - other.box.width) <= 2 && abs(face.box.x - other.box.x) <= 1)
        }
        let (train, validation) = fromXML.split(validationFraction: 0.1, seed: 7)
        #expect(train.count == 1086 && validation.count == 121)
        let again = fromXML.split(validationFraction: 0.1, seed: 7)
        #expect(again.validation.faces.map(\.identity) == validation.faces.map(\.identity))
        #expect(
            fromXML.split(validationFraction: 0.1, seed: 8).validation.faces.map(\.identity)
                != validation.faces.map(\.identity))
        #expect(Set(train.faces.map(\.identity)).isDisjoint(with: validation.faces.map(\.identity)))
    }

    @Test("300-W crops: 224x224 gray, 1.4x box, targets inside, inverse transform back to the photo")
    func w300Crops() throws {
        var skipped: [SkippedSample] = []
        let faces = Array(try FaceAnnotations.imglab(SharedData.labels, skipped: &skipped).prefix(6))
        let dataset = try FaceDataset(faces: faces, configuration: .ibug())
        #expect(dataset.count == 6)
        for i in 0..<dataset.count {
            let sample = try dataset.sample(at: i)
            #expect(sample.input.shape == [1, 224, 224] && sample.target.shape == [136])
            let t = sample.target.scalars
            // The tight box fills 1/1.4 of the crop's longer side: targets within +-1/1.4.
            #expect(t.allSatisfy { abs($0) <= 1 / 1.4 + 0.01 }, "\(t.map(abs).max()!)")
            #expect(t.map(abs).max()! > 0.69)
            let back = sample.info.originalKeypoints(fromPrediction: t)
            let worst = zip(back, faces[i].keypoints).map { simd_distance($0, $1) }.max()!
            #expect(worst < 1e-3)
        }
        #expect(dataset.cache!.map(\.byteCount).reduce(0, +) < 6 * 300 * 300)
    }

    @Test("the cached crop and the photo give the same input (within resampling error)")
    func cacheMatchesDirect() throws {
        var skipped: [SkippedSample] = []
        let faces = Array(try FaceAnnotations.pts(folder: SharedData.fullsize, skipped: &skipped).prefix(3))
        #expect(faces.count == 3)
        var config = FaceDatasetConfiguration.ibug(size: 96)
        config.augmentation = Augmentation(rotation: 10, shift: 0.05, scale: 0.9...1.1)
        let cached = try FaceDataset(faces: faces, configuration: config)
        config.cache = .none
        let direct = try FaceDataset(faces: faces, configuration: config)
        for i in 0..<3 {
            let a = try cached.sample(at: i), b = try direct.sample(at: i)
            #expect(a.target.scalars == b.target.scalars)
            let difference =
                zip(a.input.scalars, b.input.scalars).map { abs($0 - $1) }.reduce(0, +) / Float(a.input.count)
            #expect(difference < 0.02, "mean |difference| \(difference)")
        }
    }

    @Test("dlib example faces: several faces per image, identities numbered")
    func dlibExamples() throws {
        let dataset = try FaceDataset.imglab(
            SharedData.dlib.appendingPathComponent("training_with_face_landmarks.xml"),
            configuration: .ibug(size: 64))
        #expect(dataset.count == 18)
        #expect(dataset.faces[0].identity == "2007_007763.jpg#1" && dataset.faces[6].identity == "2007_007763.jpg#7")
        let sample = try dataset.sample(at: 6)
        #expect(sample.input.shape == [1, 64, 64])
        // Boxes without parts are not keypoint samples.
        expectFaceDataError(.wrongPointCount, mentions: ["training.xml", "box 1", "none"]) {
            _ = try FaceDataset.imglab(
                SharedData.dlib.appendingPathComponent("training.xml"), configuration: Self.noCache)
        }
    }

    @Test("bad samples: fail names the file, skip records it; corrupt images found by the cache")
    func badSamples() throws {
        let folder = try TempFolder()
        defer { folder.cleanUp() }
        let good = SharedData.w300Pts[0]
        let goodJPEG = try Data(contentsOf: good.deletingPathExtension().appendingPathExtension("jpg"))
        let goodPts = try String(contentsOf: good, encoding: .utf8)
        for name in ["a", "b", "c", "d", "e"] {
            _ = try folder.write("\(name).pts", goodPts)
        }
        _ = try folder.write("a.jpg", bytes: goodJPEG)
        _ = try folder.write("b.jpg", bytes: goodJPEG.prefix(goodJPEG.count / 3))  // truncated
        var garbage = goodJPEG
        for i in 2..<600 { garbage[i] = UInt8(i % 251) }
        _ = try folder.write("c.jpg", bytes: garbage)  // corrupt header
        _ = try folder.write("d.jpg", bytes: goodJPEG)
        // wrong count
        _ = try folder.write("d.pts", goodPts.replacingOccurrences(of: "n_points:  68", with: "n_points:  67"))
        // e.jpg is missing.
        // .fail: the first bad one throws, naming the file.
        var config = FaceDatasetConfiguration.ibug(size: 64)
        expectFaceDataError(.badImage, mentions: ["c.jpg", "header"]) {
            _ = try FaceDataset.pts(folder: folder.url, configuration: config)
        }
        // .skip: the good face stays, the others are listed with reasons.
        config.onBadSample = .skip
        let dataset = try FaceDataset.pts(folder: folder.url, configuration: config)
        #expect(dataset.faces.map(\.identity) == ["a.jpg"])
        let reasons = dataset.skipped.map(\.description).joined(separator: "\n")
        #expect(dataset.skipped.count == 4, "\(reasons)")
        for text in ["b.jpg", "truncated", "c.jpg", "d.pts", "e.pts", "n_points: 67", "beside the annotation"] {
            #expect(reasons.contains(text), "\(text) missing in \(reasons)")
        }
        // Without a cache, annotation problems are found up front, image problems when sampled.
        config.cache = .none
        let lazy = try FaceDataset.pts(folder: folder.url, configuration: config)
        #expect(lazy.count == 2 && lazy.skipped.count == 3)
        expectFaceDataError(.badImage, mentions: ["b.jpg", "decodable"]) { _ = try lazy.sample(at: 1) }
        // A box outside the image.
        let size = try ImageHeader.size(of: folder.url.appendingPathComponent("a.jpg"))
        let far = FaceAnnotation(
            image: folder.url.appendingPathComponent("a.jpg"), keypoints: [Point(5, 5)],
            box: BoundingBox(x: Float(size.width) - 10, y: 0, width: 50, height: 50),
            identity: "a.jpg", imageWidth: size.width, imageHeight: size.height)
        expectFaceDataError(.outOfBounds, mentions: ["x.xml", "a.jpg", "half inside"]) {
            try FaceAnnotations.validate(far, annotation: "x.xml")
        }
        var outside = far
        outside.box = BoundingBox(x: 0, y: 0, width: 50, height: 50)
        outside.keypoints = [Point(20, 20), Point(20, Float(size.height) + 30)]
        expectFaceDataError(.outOfBounds, mentions: ["point 1"]) {
            try FaceAnnotations.validate(outside, annotation: "x.xml")
        }
        // Everything bad: the dataset refuses to be empty.
        let empty = try TempFolder()
        defer { empty.cleanUp() }
        _ = try empty.write("x.pts", "1 2\n")
        expectFaceDataError(.invalidArgument, mentions: [empty.url.path, "every face was bad"]) {
            _ = try FaceDataset.pts(folder: empty.url, configuration: config)
        }
    }

    @Test("configuration errors: point indices, flips without a covering mirror map")
    func configurationErrors() throws {
        var config = FaceDatasetConfiguration.immNoseTip()
        config.cache = .none
        config.points = [58]
        expectFaceDataError(.invalidArgument, mentions: ["0..<58"]) {
            _ = try FaceDataset.imm(folder: SharedData.imm, split: .validation, configuration: config)
        }
        config.points = [13, 52]  // an eye corner without its partner
        config.augmentation = Augmentation(flipProbability: 0.5)
        expectFaceDataError(.invalidArgument, mentions: ["mirror map"]) {
            _ = try FaceDataset.imm(folder: SharedData.imm, split: .validation, configuration: config)
        }
        config.points = [13, 21, 52]
        let ok = try FaceDataset.imm(folder: SharedData.imm, split: .validation, configuration: config)
        #expect(ok.selectedMirror == MirrorMap([1, 0, 2]))
    }

    @Test("Fingerprints: the same faces anywhere give the same hash; another split, subset or point does not")
    func fingerprints() throws {
        let xml = SharedData.labels
        let all = try FaceDataset.imglab(xml, configuration: Self.noCache)
        let (train, validation) = all.split(validationFraction: 0.1, seed: 0)
        let again = try FaceDataset.imglab(xml, configuration: Self.noCache).split(validationFraction: 0.1, seed: 0)
            .train
        #expect(DatasetFingerprint(train) == DatasetFingerprint(again))
        #expect(DatasetFingerprint(train).faces == train.count && DatasetFingerprint(train).hash.count == 16)
        #expect(DatasetFingerprint(train).folder == SharedData.w300.standardizedFileURL.path)
        let otherFraction = all.split(validationFraction: 0.2, seed: 0)
        #expect(!DatasetFingerprint(train).sameData(as: DatasetFingerprint(otherFraction.train)))
        #expect(!DatasetFingerprint(validation).sameData(as: DatasetFingerprint(otherFraction.validation)))
        let otherSeed = all.split(validationFraction: 0.1, seed: 1).train
        #expect(
            otherSeed.count == train.count && !DatasetFingerprint(train).sameData(as: DatasetFingerprint(otherSeed)))
        var moved = train.faces
        moved[5].keypoints[30].x += 0.25
        let edited = try FaceDataset(faces: moved, configuration: Self.noCache)
        #expect(!DatasetFingerprint(train).sameData(as: DatasetFingerprint(edited)))
        let relocated = try FaceDataset(
            faces: train.faces.map { face in
                var face = face
                face.image = URL(fileURLWithPath: "/elsewhere/300w_subset").appendingPathComponent(
                    face.image.lastPathComponent)
                return face
            }, configuration: Self.noCache)
        #expect(DatasetFingerprint(train).sameData(as: DatasetFingerprint(relocated)))
        #expect(DatasetFingerprint(relocated).folder == "/elsewhere/300w_subset")
    }
}
