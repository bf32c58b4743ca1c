import Foundation

/// Everything needed to rebuild a trained keypoint model and feed it: the architecture, the
/// input size and pixel scaling, the point scheme, and how the input is cropped from a photo.
/// Stored as JSON in the metadata of every `model.safetensors` the trainer writes, so
/// ``KeypointModel``, `keypoints evaluate` and `keypoints predict` need nothing else.
public struct KeypointModelSpec: Codable, Sendable, Equatable {
    /// The network.
    public enum Architecture: String, Codable, Sendable, CaseIterable {
        /// The study's part-1 network (NN's `NoseNet`).
        case noseNet = "NoseNet"
        /// ResNet18 regressing every point's two coordinates (NN's `resnet18`), the study's part 3.
        case resnet18 = "ResNet18"
        /// The study's part-2 network (NN's `StudyPart2Net`); files written before the rename
        /// say `FaceNet`, which still reads as this.
        case studyPart2Net = "StudyPart2Net"
        /// ResNet18's trunk with PIPNet's heatmap head (NN's `PIPNet`): score and offset maps on
        /// a grid of 32-pixel cells, each point also estimated by its ``KeypointModelSpec/neighbours``.
        case pipNetResNet18 = "PIPNet-ResNet18"
        /// The same at stride 16: the trunk's map upsampled twice by a transposed convolution
        /// before the heads, a grid of 16-pixel cells (PIPNet's `net_stride=16`).
        case pipNet16ResNet18 = "PIPNet16-ResNet18"
        /// ResNet18's trunk, upsampled twice to stride-8 heatmaps read by a soft-argmax (NN's
        /// `IntegralRegressionNet`): integral regression, trained and read as the regression
        /// network (its outputs are the same normalized coordinates).
        case integralResNet18 = "Integral-ResNet18"

        /// Whether the network is built on ResNet18's trunk (its input limits and channels).
        public var isResNet: Bool { self == .resnet18 || isPIPNet || self == .integralResNet18 }
        /// Whether the network is PIPNet (score and offset maps, neighbour lists, its own loss).
        public var isPIPNet: Bool { self == .pipNetResNet18 || self == .pipNet16ResNet18 }

        /// Renamed ``KeypointModelSpec/Architecture/studyPart2Net``; kept for one release.
        @available(*, deprecated, renamed: "studyPart2Net")
        public static var faceNet: Architecture { .studyPart2Net }

        /// Reads the raw value, and the part-2 network's name before the rename, `FaceNet`.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            let name = try container.decode(String.self)
            guard
                let architecture = Architecture(
                    rawValue: name == "FaceNet" ? Architecture.studyPart2Net.rawValue : name)
            else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "Cannot initialize Architecture from invalid String value \(name)")
            }
            self = architecture
        }
    }

    /// The study's part this model solves (used to refuse a model file for another part).
    public enum Task: String, Codable, Sendable, CaseIterable {
        /// Part 1: the IMM nose tip.
        case nose
        /// Part 2: all 58 IMM points.
        case face
        /// Part 3: the 68 iBUG / 300-W landmarks.
        case landmarks
        /// A user's own point scheme (`keypoints train --xml`).
        case custom
    }

    /// Renamed: the spec stores FaceData's `CropMode` itself (the same JSON).
    @available(*, deprecated, renamed: "CropMode")
    public typealias Crop = CropMode

    /// Which face box a face-box crop starts from.
    public enum FaceBoxes: String, Codable, Sendable, CaseIterable {
        /// The annotation's box (for 300-W, the tight box around the landmarks): what the
        /// study trains on; at prediction time it must be given, or it is estimated (see
        /// ``KeypointModel``).
        case truth
        /// The shipped MTCNN detector's box (``DetectorBoxes`` for training faces).
        case detector
    }

    /// Renamed: the spec stores FaceData's `PixelNormalization` itself (the same JSON for
    /// `unit` and `centered`).
    @available(*, deprecated, renamed: "PixelNormalization")
    public typealias Pixels = PixelNormalization

    /// The study's part the model solves, or `custom` for a user's own scheme.
    public var task: Task
    /// The network.
    public var architecture: Architecture
    /// The model input's width, in pixels.
    public var inputWidth: Int
    /// The model input's height, in pixels.
    public var inputHeight: Int
    /// The model input's channels: 1 (grayscale), or 3 (RGB) for the networks on ResNet18's trunk.
    public var inputChannels: Int
    /// The annotation scheme (stored by name when it is `imm58` or `ibug68`, else in full).
    public var scheme: LandmarkScheme
    /// The scheme's points the model predicts, in output order (nil: all of them).
    public var points: [Int]?
    /// How the input is cut from a photo.
    public var crop: CropMode
    /// How the input's pixel values are scaled.
    public var pixels: PixelNormalization
    /// The box a face-box crop starts from (nil, as in files written before detector boxes: `truth`).
    public var boxes: FaceBoxes?
    /// PIPNet only: `neighbours[i]` lists the points (output indices) whose offsets point `i`'s
    /// cell also predicts, nearest first on the training set's mean face
    /// (``withNeighbours(from:count:)``); nil for the other architectures.
    public var neighbours: [[Int]]?
    /// Added to each decoded point, in model-input pixels and output order, after test-time
    /// mirroring's merge: each point's mean error on the training faces, measured by
    /// ``KeypointCalibration`` (nil: none, as in files written before calibration). A model
    /// trained on mirrored faces learns only the mirror-symmetric part of where annotators put
    /// points; 300-W's sit about 1 px to the right of that (Docs/Heatmaps.md), and these
    /// offsets restore it.
    public var pointOffsets: [Point]?
    /// ResNet18 only: the padding of the 7x7 stem convolution (nil: torchvision's 3). The
    /// study's part 3 used 2, and its recipe (``KeypointTask/landmarks(_:boxes:architecture:)``
    /// with `.study`) sets it; the model tree prints it as conv1's `padding`.
    public var stemPadding: Int?

    /// The number of neighbours each point of a PIPNet model predicts (PIPNet's `num_nb`),
    /// fewer when the scheme has no more other points.
    public static let pipNetNeighbourCount = 10
    /// The most neighbours a PIPNet spec may list per point: with
    /// `LandmarkScheme.maximumPointCount` it bounds the heads a model file can make a reader
    /// build (at most 1024 x 67 output channels, 35 M weights; Docs/Reliability.md).
    public static let maximumNeighbourCount = 32
    /// ``boxes``, with nil read as `truth`.
    public var faceBoxes: FaceBoxes { boxes ?? .truth }

    /// The names of the points the model predicts, in output order.
    public var pointNames: [String] { points.map { $0.map { scheme.pointNames[$0] } } ?? scheme.pointNames }

    /// The number of points the model predicts (its output has twice as many values).
    public var pointCount: Int { points?.count ?? scheme.pointCount }

    /// Part 1: NoseNet on the whole IMM photo at 80x60, point 52.
    public static let nose = KeypointModelSpec(
        task: .nose, architecture: .noseNet, inputWidth: 80, inputHeight: 60, inputChannels: 1,
        scheme: .imm58, points: [52], crop: .wholeImage, pixels: .centered)
    /// Part 2: the study's 5-conv network (``Architecture/studyPart2Net``) on the whole IMM photo at 240x180, all 58 points.
    public static let face = KeypointModelSpec(
        task: .face, architecture: .studyPart2Net, inputWidth: 240, inputHeight: 180, inputChannels: 1,
        scheme: .imm58, points: nil, crop: .wholeImage, pixels: .centered)
    /// Part 3: ResNet18 on a 224x224 grayscale crop of 1.4x the face box, 68 points.
    public static let landmarks = KeypointModelSpec(
        task: .landmarks, architecture: .resnet18, inputWidth: 224, inputHeight: 224,
        inputChannels: 1, scheme: .ibug68, points: nil, crop: .faceBox(enlargement: 1.4),
        pixels: .centered)

    /// The crop around a detector box: the same rule and factor as around the landmarks' box
    /// (a square of 1.4 times the box's longer side about its center). MTCNN's box is taller
    /// than the landmarks' box (it takes in the forehead): on the 300-W subset its median height
    /// is 1.24 and width 0.96 times the landmarks' box's longer side, its center 0.16 sides higher
    /// (Docs/Detection.md), so the crop still holds the chin with a fifth of a side to spare.
    public static let detectorBoxEnlargement: Float = 1.4

    /// Part 3 on the detector's boxes: the same network and input, cropped from MTCNN's box
    /// (``detectorBoxEnlargement``).
    public static let detectorLandmarks: KeypointModelSpec = {
        var spec = landmarks
        spec.crop = .faceBox(enlargement: detectorBoxEnlargement)
        spec.boxes = .detector
        return spec
    }()

    /// A model for a user's own scheme (`keypoints train --xml`): `architecture` on a square
    /// grayscale crop of 1.4x the face box, `inputSize` pixels a side.
    public static func custom(
        scheme: LandmarkScheme, architecture: Architecture = .resnet18, inputSize: Int = 224
    ) -> KeypointModelSpec {
        KeypointModelSpec(
            task: .custom, architecture: architecture, inputWidth: inputSize, inputHeight: inputSize, inputChannels: 1,
            scheme: scheme, points: nil, crop: .faceBox(enlargement: 1.4), pixels: .centered)
    }

    /// A freshly initialized model of this architecture and size. A PIPNet spec needs its
    /// ``neighbours`` first (``withNeighbours(from:count:)``; the trainer sets them).
    public func makeModel(using generator: inout RandomGenerator) -> Module {
        precondition(
            !architecture.isPIPNet || neighbours?.first?.isEmpty == false,
            "KeypointModelSpec.makeModel: a PIPNet spec needs its neighbour lists first (withNeighbours(from:count:))")
        return switch architecture {
        case .noseNet: NoseNet(inputHeight: inputHeight, inputWidth: inputWidth, points: pointCount, using: &generator)
        case .studyPart2Net:
            StudyPart2Net(inputHeight: inputHeight, inputWidth: inputWidth, points: pointCount, using: &generator)
        case .resnet18:
            NN.resnet18(
                inputChannels: inputChannels, outputs: 2 * pointCount, stemPadding: stemPadding ?? 3, using: &generator)
        case .pipNetResNet18, .pipNet16ResNet18:
            PIPNet(
                inputChannels: inputChannels, points: pointCount, neighbours: neighbours?.first?.count ?? 0,
                stride: architecture == .pipNet16ResNet18 ? 16 : 32, using: &generator)
        case .integralResNet18:
            IntegralRegressionNet(inputChannels: inputChannels, points: pointCount, using: &generator)
        }
    }

    /// PIPNet's neighbour lists (nil for the other architectures).
    public var pipNetNeighbours: PIPNetNeighbours? { neighbours.map { PIPNetNeighbours(indices: $0) } }

    /// This spec with ``neighbours`` taken from the mean face of `dataset` (each face's annotated
    /// points in model-input pixels, averaged point by point): each point's `count` nearest other
    /// points (at most all the others). Unchanged for architectures without neighbours, or when
    /// it already has them (a run resumed or a model fine-tuned keeps its lists).
    public func withNeighbours(from dataset: FaceDataset, count: Int = pipNetNeighbourCount) -> KeypointModelSpec {
        guard architecture.isPIPNet, neighbours == nil else { return self }
        var sums = [SIMD2<Double>](repeating: .zero, count: pointCount),
            counts = [Double](repeating: 0, count: pointCount)
        for index in 0..<dataset.count {
            let transform = dataset.baseTransform(at: index)
            for (point, position) in transform.apply(dataset.keypoints(at: index)).enumerated() where position.isPresent
            {
                sums[point] += SIMD2(Double(position.x), Double(position.y))
                counts[point] += 1
            }
        }
        // A point no face annotates sits at the input's center (its neighbours are then arbitrary but fixed).
        let center = SIMD2(Double(inputWidth), Double(inputHeight)) / 2
        let meanFace = zip(sums, counts).map { sum, count in SIMD2<Float>(count > 0 ? sum / count : center) }
        var spec = self
        spec.neighbours = PIPNetNeighbours(meanFace: meanFace, count: Swift.min(count, pointCount - 1)).indices
        return spec
    }

    /// The model input's format for FaceData.
    public var inputFormat: InputFormat {
        InputFormat(width: inputWidth, height: inputHeight, channels: inputChannels, pixels: pixels)
    }

    /// ``crop``, under its former name.
    @available(*, deprecated, renamed: "crop")
    public var cropMode: CropMode { crop }

    /// The scheme's mirror map (for flips; nil: never flipped).
    public var mirrorMap: MirrorMap? { scheme.mirror }

    /// The mirror map of the model's outputs (its ``points``), for test-time mirroring. Throws
    /// a ``KeypointInputError`` saying why when the scheme has none or a predicted point's
    /// partner is not predicted.
    public func outputMirrorMap() throws -> MirrorMap {
        guard let mirror = scheme.mirror else {
            throw KeypointInputError(
                "test-time mirroring needs the scheme's mirror map, and \(scheme.name) has none (train with --mirror to give one)"
            )
        }
        guard let restricted = points.map({ mirror.restricted(to: $0) }) ?? mirror else {
            throw KeypointInputError(
                "test-time mirroring needs each point's mirror partner among the model's points, and this model predicts only some of \(scheme.name)'s"
            )
        }
        return restricted
    }

    /// A dataset configuration that produces this model's inputs and targets.
    public func datasetConfiguration(
        augmentation: Augmentation = .none, onBadSample: BadSamplePolicy = .fail
    ) -> FaceDatasetConfiguration {
        FaceDatasetConfiguration(
            input: inputFormat, crop: crop, points: points, mirrorMap: mirrorMap,
            augmentation: augmentation, onBadSample: onBadSample)
    }
}

extension KeypointModelSpec {
    /// The largest input side a model file may ask for: 512 px for the whole-image networks
    /// (their first fully connected layer grows with the input's area), 1024 px for ResNet18.
    public var maximumInputSide: Int { architecture.isResNet ? 1024 : 512 }

    /// The smallest input side the architecture accepts: every conv+pool stage must leave at
    /// least one pixel (ResNet18: its five stride-2 stages).
    public var minimumInputSide: Int {
        func smallest(_ fits: (Int) -> Bool) -> Int {
            (1...maximumInputSide).first(where: fits) ?? maximumInputSide + 1
        }
        switch architecture {
        case .noseNet: return smallest { NoseNet.featureSize(inputHeight: $0, inputWidth: $0).height > 0 }
        case .studyPart2Net: return smallest { StudyPart2Net.featureSize(inputHeight: $0, inputWidth: $0).height > 0 }
        case .resnet18, .pipNetResNet18, .pipNet16ResNet18, .integralResNet18: return 32
        }
    }

    /// Why a spec cannot describe a usable model: the field and what was expected.
    public struct InvalidField: Error, CustomStringConvertible, Sendable {
        /// The JSON key, e.g. `inputWidth` or `points[3]`.
        public let field: String
        /// What is wrong with the field, and what was expected.
        public let message: String
        /// `field 'FIELD': MESSAGE`.
        public var description: String { "field '\(field)': \(message)" }
    }

    /// Checks every field a file can get wrong, before anything is built from them: sizes
    /// within the architecture's limits, 1 input channel (3 allowed for ResNet18), a pixel
    /// normalization that fits the channels, points
    /// non-empty, distinct and within the scheme, a crop enlargement in `1...4`, one finite
    /// point offset per point within the input's side, PIPNet's
    /// neighbour lists (which a spec may lack `beforeTraining`: the trainer derives them from
    /// the training set). (The scheme itself is checked when it is decoded.)
    public func validate(beforeTraining: Bool = false) throws(InvalidField) {
        func fail(_ field: String, _ message: String) throws(InvalidField) -> Never {
            throw InvalidField(field: field, message: message)
        }
        let range = minimumInputSide...maximumInputSide
        for (field, side) in [("inputWidth", inputWidth), ("inputHeight", inputHeight)] where !range.contains(side) {
            try fail(
                field,
                "\(side) px is outside what \(architecture.rawValue) accepts (\(range.lowerBound)...\(range.upperBound))"
            )
        }
        if architecture == .integralResNet18 {
            for (field, side) in [("inputWidth", inputWidth), ("inputHeight", inputHeight)] where side % 32 != 0 {
                try fail(
                    field,
                    "\(side) px; \(architecture.rawValue) needs a multiple of 32 (its heatmaps are the trunk's map upsampled 4x)"
                )
            }
        }
        let channels: Set<Int> = architecture.isResNet ? [1, 3] : [1]
        if !channels.contains(inputChannels) {
            try fail(
                "inputChannels",
                "\(inputChannels); \(architecture.rawValue) takes \(channels.sorted().map(String.init).joined(separator: " or "))"
            )
        }
        if let problem = pixels.problem(channels: inputChannels) { try fail("pixels", problem) }
        let schemeSize = scheme.pointCount
        if let points {
            if points.isEmpty {
                try fail("points", "empty; a model predicts at least one point (omit the field for all \(schemeSize))")
            }
            var seen = Set<Int>()
            for (index, point) in points.enumerated() {
                if !(0..<schemeSize).contains(point) {
                    try fail("points[\(index)]", "\(point) is not a point of \(scheme.name) (0...\(schemeSize - 1))")
                }
                if !seen.insert(point).inserted { try fail("points[\(index)]", "point \(point) appears twice") }
            }
        }
        if case .faceBox(let enlargement) = crop, !(1...4).contains(enlargement) {
            try fail("crop.faceBox.enlargement", "\(enlargement) is outside 1...4 (times the face box)")
        }
        if let stemPadding {
            if architecture != .resnet18 {
                try fail("stemPadding", "only ResNet18 takes a stem padding; \(architecture.rawValue) does not")
            }
            if !(0...3).contains(stemPadding) {
                try fail("stemPadding", "\(stemPadding); expected 0...3 (torchvision's is 3, the study's 2)")
            }
        }
        if faceBoxes == .detector, crop == .wholeImage {
            try fail("boxes", "'detector' needs a faceBox crop; the model crops the whole photo")
        }
        if let pointOffsets {
            if pointOffsets.count != pointCount {
                try fail(
                    "pointOffsets",
                    "\(pointOffsets.count) offsets for \(pointCount) points; expected one [x, y] per point")
            }
            let limit = Float(Swift.max(inputWidth, inputHeight))
            for (point, offset) in pointOffsets.enumerated() where !(abs(offset.x) <= limit && abs(offset.y) <= limit) {
                try fail(
                    "pointOffsets[\(point)]",
                    "[\(offset.x), \(offset.y)] px; expected finite offsets within the \(inputWidth)x\(inputHeight) input"
                )
            }
        }
        try validateNeighbours(beforeTraining: beforeTraining)
    }

    /// PIPNet's lists: one per point, all of one length `1..<points`, distinct other points.
    private func validateNeighbours(beforeTraining: Bool) throws(InvalidField) {
        func fail(_ field: String, _ message: String) throws(InvalidField) -> Never {
            throw InvalidField(field: field, message: message)
        }
        guard architecture.isPIPNet else {
            if neighbours != nil {
                try fail("neighbours", "only PIPNet has neighbour lists; \(architecture.rawValue) does not")
            }
            return
        }
        if pointCount < 2 {
            try fail(
                "points", "\(architecture.rawValue) needs at least 2 points (each is also estimated by its neighbours)")
        }
        guard let neighbours else {
            if beforeTraining { return }
            try fail("neighbours", "missing; \(architecture.rawValue) needs each point's neighbour list")
        }
        if neighbours.count != pointCount {
            try fail("neighbours", "\(neighbours.count) lists for \(pointCount) points; expected one per point")
        }
        let length = neighbours[0].count
        let lengths = 1...Swift.min(pointCount - 1, Self.maximumNeighbourCount)
        if !lengths.contains(length) {
            try fail("neighbours[0]", "\(length) neighbours; expected \(lengths.lowerBound)...\(lengths.upperBound)")
        }
        for (point, list) in neighbours.enumerated() {
            if list.count != length {
                try fail(
                    "neighbours[\(point)]",
                    "\(list.count) neighbours; the first list has \(length), all must have as many")
            }
            for (slot, neighbour) in list.enumerated() {
                if !(0..<pointCount).contains(neighbour) || neighbour == point {
                    try fail(
                        "neighbours[\(point)][\(slot)]",
                        "\(neighbour) is not another point of the model (0...\(pointCount - 1), not \(point))")
                }
            }
            if Set(list).count != list.count { try fail("neighbours[\(point)]", "\(list) lists a point twice") }
        }
    }
}
