import Foundation
import TestSupport
import Testing

@testable import FaceData

@Suite("Annotation readers on the shared data")
struct AnnotationReaderTests {
    @Test("all 240 IMM .asf files: 58 points inside the image, host image named, split 192/48")
    func immFiles() throws {
        let files = SharedData.files(in: SharedData.imm, extension: "asf")
        #expect(files.count == 240)
        var train = 0, validation = 0
        for url in files {
            let shape = try ASFShape(contentsOf: url)
            #expect(shape.points.count == 58)
            #expect(shape.hostImage == url.deletingPathExtension().lastPathComponent + ".jpg")
            let points = shape.keypoints(imageWidth: 640, imageHeight: 480)
            for p in points {
                #expect(p.x > 0 && p.x < 640 && p.y > 0 && p.y < 480, "\(url.lastPathComponent): \(p)")
            }
            let person = try #require(DataSplit.immPerson(of: url.lastPathComponent))
            if DataSplit.immTrainPersons.contains(person) {
                train += 1
            } else if DataSplit.immValidationPersons.contains(person) {
                validation += 1
            }
        }
        #expect(train == 192 && validation == 48)
    }

    @Test("IMM known values: 01-1m point 0 and the nose tip, 14-5f with extra fields")
    func immKnownValues() throws {
        let shape = try ASFShape(contentsOf: SharedData.imm.appendingPathComponent("01-1m.asf"))
        #expect(shape.points[0].x == 0.35763609 && shape.points[0].y == 0.64077979)
        #expect(shape.points[52].path == 6 && shape.points[52].connectsFrom == 51 && shape.points[52].connectsTo == 53)
        let nose = shape.keypoints(imageWidth: 640, imageHeight: 480)[52]
        #expect(abs(nose.x - 0.49070060 * 640) < 1e-3 && abs(nose.y - 0.63137436 * 480) < 1e-3)
        // A file whose point lines carry three extra fields.
        let extra = try ASFShape(contentsOf: SharedData.imm.appendingPathComponent("14-5f.asf"))
        #expect(extra.points[57].x == 0.58545870 && extra.points[57].connectsTo == 57)
    }

    @Test("the .asf writer round-trips")
    func asfRoundTrip() throws {
        let folder = try TempFolder()
        defer { folder.cleanUp() }
        let shape = try ASFShape(contentsOf: SharedData.imm.appendingPathComponent("07-3m.asf"))
        let copy = folder.url.appendingPathComponent("copy.asf")
        try shape.write(to: copy)
        #expect(try ASFShape(contentsOf: copy) == shape)
    }

    @Test("all 1207 300-W .pts files agree with labels.xml after converting conventions")
    func w300PtsAgreeWithLabels() throws {
        let pts = SharedData.w300Pts
        #expect(pts.count == 1207)
        let labels = try ImglabDataset(contentsOf: SharedData.labels)
        #expect(labels.images.count == 1207)
        #expect(labels.faces.count == 1207)
        var byFile: [String: [SIMD2<Float>]] = [:]
        for url in pts {
            let relative =
                url.deletingLastPathComponent().lastPathComponent + "/" + url.deletingPathExtension().lastPathComponent
                + ".jpg"
            byFile[relative] = try PTSFile.read(url)
        }
        var worst: Float = 0
        for image in labels.images {
            #expect(image.boxes.count == 1)
            let box = image.boxes[0]
            let fromXML = try #require(try box.keypoints(count: 68, file: "labels.xml", element: image.file))
            let fromPts = try #require(byFile[image.file], "no .pts for \(image.file)")
            for (a, b) in zip(fromXML, fromPts) { worst = max(worst, abs(a.x - b.x), abs(a.y - b.y)) }
            // The box is the tight box around the parts (to within a rounding pixel).
            let xs = box.parts.map(\.x), ys = box.parts.map(\.y)
            #expect(box.left == xs.min()! && box.top == ys.min()!, "\(image.file)")
            #expect(
                abs(box.left + box.width - xs.max()!) <= 1 && abs(box.top + box.height - ys.max()!) <= 1,
                "\(image.file)")
        }
        // imglab integers are rounded 0-based pixel indices: at most half a pixel apart.
        #expect(worst <= 0.5 + 1e-3, "largest difference \(worst)")
    }

    @Test("300-W points lie inside their images (sizes from the JPEG headers)")
    func w300PointsInsideImages() throws {
        var count = 0
        for url in SharedData.w300Pts + SharedData.files(in: SharedData.fullsize, extension: "pts") {
            let points = try PTSFile.read(url)
            let size = try ImageHeader.size(of: url.deletingPathExtension().appendingPathExtension("jpg"))
            for p in points {
                #expect(
                    p.x >= 0 && p.y >= 0 && p.x <= Float(size.width) && p.y <= Float(size.height),
                    "\(url.lastPathComponent) \(p) \(size)")
            }
            count += 1
        }
        #expect(count == 1215)
    }

    @Test("300-W known values: raw file text minus one half")
    func w300KnownValues() throws {
        let url = SharedData.w300.appendingPathComponent("afw/1051618982_1.pts")
        let raw = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        #expect(raw[3] == "113.604 153.304")
        let points = try PTSFile.read(url)
        #expect(points[0] == SIMD2(113.104, 152.804))
        let last = raw[70].split(separator: " ").map { Float($0)! }
        #expect(points[67] == SIMD2(last[0] - 0.5, last[1] - 0.5))
        let labels = try ImglabDataset(contentsOf: SharedData.labels)
        let box = labels.images[0].boxes[0]
        #expect(labels.images[0].file == "afw/1051618982_1.jpg")
        #expect(box.top == 119 && box.left == 113 && box.width == 224 && box.height == 211)
        #expect(box.parts[0] == ImglabPart(name: "00", x: 113, y: 152))
        #expect(box.parts[0].point == SIMD2(113.5, 152.5))
    }

    @Test("the 8 full-size AFW .pts files have headers and 68 points")
    func fullsize() throws {
        let files = SharedData.files(in: SharedData.fullsize, extension: "pts")
        #expect(files.count == 8)
        for url in files {
            let text = try String(contentsOf: url, encoding: .utf8)
            #expect(text.hasPrefix("version: 1"))
            #expect(try PTSFile.read(url).count == 68)
        }
        let first = try PTSFile.read(SharedData.fullsize.appendingPathComponent("3989161_1.pts"))
        #expect(abs(first[0].x - 163.94) < 1e-4 && abs(first[0].y - 290.14) < 1e-4)
    }

    @Test(".pts without a header, and the writer round-trips to within rounding")
    func ptsHeaderless() throws {
        let plain = try PTSFile.parse("1 2\n3.5 4.25\n", file: "plain.pts", expectedPointCount: 2)
        #expect(plain == [SIMD2(0.5, 1.5), SIMD2(3.0, 3.75)])
        let url = SharedData.w300.appendingPathComponent("helen_train").appendingPathComponent(
            SharedData.files(in: SharedData.w300.appendingPathComponent("helen_train"), extension: "pts")[5]
                .lastPathComponent)
        let points = try PTSFile.read(url)
        let again = try PTSFile.parse(PTSFile.format(points), file: "copy.pts")
        for (a, b) in zip(points, again) { #expect(abs(a.x - b.x) < 1e-3 && abs(a.y - b.y) < 1e-3) }
    }

    @Test("dlib example XML files: images, boxes, parts, sizes")
    func dlibFiles() throws {
        let expected: [String: (images: Int, boxes: Int, parts: Int)] = [
            "training.xml": (4, 18, 0), "testing.xml": (5, 25, 0),
            "training_with_face_landmarks.xml": (4, 18, 18 * 68), "testing_with_face_landmarks.xml": (5, 25, 25 * 68)
        ]
        for (name, counts) in expected {
            let url = SharedData.dlib.appendingPathComponent(name)
            let dataset = try ImglabDataset(contentsOf: url)
            #expect(dataset.images.count == counts.images, "\(name)")
            #expect(dataset.images.map(\.boxes.count).reduce(0, +) == counts.boxes, "\(name)")
            #expect(dataset.images.flatMap(\.boxes).map(\.parts.count).reduce(0, +) == counts.parts, "\(name)")
            #expect(
                dataset.name == "Training faces" || dataset.name == "Testing faces", "\(name): \(dataset.name ?? "nil")"
            )
            for image in dataset.images {
                let size = try ImageHeader.size(of: SharedData.dlib.appendingPathComponent(image.file))
                #expect(image.width == size.width && image.height == size.height, "\(name) \(image.file)")
                for box in image.boxes where !box.parts.isEmpty {
                    let points = try #require(try box.keypoints(count: 68, file: name, element: image.file))
                    #expect(points.count == 68)
                }
            }
        }
        let first = try ImglabDataset(
            contentsOf: SharedData.dlib.appendingPathComponent("training_with_face_landmarks.xml")
        ).images[0]
        #expect(first.file == "2007_007763.jpg" && first.width == 500 && first.height == 375)
        #expect(first.boxes[0] == ImglabBox(top: 90, left: 194, width: 37, height: 37, parts: first.boxes[0].parts))
        #expect(first.boxes[0].parts[0] == ImglabPart(name: "00", x: 201, y: 107))
    }

    @Test("imglab writer round-trips, with ignore boxes, labels, and images without sizes")
    func imglabRoundTrip() throws {
        let folder = try TempFolder()
        defer { folder.cleanUp() }
        let dataset = ImglabDataset(
            name: "a & b", comment: "<test>",
            images: [
                ImglabImage(
                    file: "x/one.jpg", width: 100, height: 80,
                    boxes: [
                        ImglabBox(
                            top: 10, left: 20, width: 30, height: 40,
                            parts: [ImglabPart(name: "00", x: 25, y: 15), ImglabPart(name: "01", x: 30, y: 20)]),
                        ImglabBox(top: 0, left: 0, width: 10, height: 10, ignore: true),
                        ImglabBox(top: 5, left: 5, width: 10, height: 10, label: "face")
                    ]),
                ImglabImage(file: "two's.jpg")
            ])
        let url = folder.url.appendingPathComponent("out.xml")
        try dataset.write(to: url)
        let again = try ImglabDataset(contentsOf: url)
        #expect(again == dataset)
        #expect(again.faces.count == 2)
        let labels = try ImglabDataset(contentsOf: SharedData.labels)
        try labels.write(to: url)
        #expect(try ImglabDataset(contentsOf: url) == labels)
    }

    @Test("JPEG and PNG header sizes")
    func headerSizes() throws {
        let size = try ImageHeader.size(of: SharedData.imm.appendingPathComponent("01-1m.jpg"))
        #expect(size.width == 640 && size.height == 480)
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])
        png += Data([0, 0, 1, 44, 0, 0, 0, 200])
        let parsed = ImageHeader.parse(png, file: "x.png", complete: true)
        #expect(parsed?.width == 300 && parsed?.height == 200)
    }
}
