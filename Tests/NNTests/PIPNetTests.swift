import Foundation
import NN
import Tensor
import TensorIO
import TestSupport
import Testing

/// PIPNet against the reference's computations in PyTorch (scripts/fixtures/nn_pipnet.py):
/// the network's five maps, the targets and loss of a batch and its parameter gradients
/// (Tests/Fixtures/nn_pipnet.safetensors, the trunk's weights from nn_resnet18.safetensors;
/// float64 counterparts in nn_pipnet_f64.safetensors), the decoding of fixed maps, and the
/// mean-face neighbour lists; the same at stride 16 (nn_pipnet16.safetensors); plus
/// finite-difference checks of the loss.
@Suite struct PIPNetTests {
    static let points = 5, neighbours = 3

    static func fixture() throws -> (reference: SafeTensorsFile, exact: SafeTensorsFile) {
        (
            try SafeTensors.read(contentsOf: Fixture.directory.appendingPathComponent("nn_pipnet.safetensors")),
            try SafeTensors.read(contentsOf: Fixture.directory.appendingPathComponent("nn_pipnet_f64.safetensors"))
        )
    }

    /// The fixture's network: nn_resnet18's trunk (without `fc`) and nn_pipnet's heads.
    static func referenceState(_ reference: SafeTensorsFile) throws -> [String: Tensor] {
        let trunk = try SafeTensors.read(
            contentsOf: Fixture.directory.appendingPathComponent("nn_resnet18.safetensors"))
        var state: [String: Tensor] = [:]
        for (key, value) in trunk.tensors where key.hasPrefix("state.") && !key.hasPrefix("state.fc.") {
            state[String(key.dropFirst(6))] = value
        }
        for (key, value) in reference.tensors where key.hasPrefix("state.") { state[String(key.dropFirst(6))] = value }
        return state
    }

    /// `tensor` (`[..., 2]` values) as points, row by row.
    static func points(_ tensor: Tensor) -> [SIMD2<Float>] {
        let values = tensor.scalars
        return stride(from: 0, to: values.count, by: 2).map { SIMD2(values[$0], values[$0 + 1]) }
    }

    static func neighbourLists(_ tensor: Tensor) -> [[Int]] {
        let columns = tensor.shape[1], values = tensor.scalars.map { Int($0) }
        return stride(from: 0, to: values.count, by: columns).map { Array(values[$0..<($0 + columns)]) }
    }

    /// The larger coordinate difference of two points.
    static func distance(_ a: SIMD2<Float>, _ b: SIMD2<Float>) -> Float { Swift.max(abs(a.x - b.x), abs(a.y - b.y)) }

    @Test func stateDictNamesAreTheReferences() throws {
        var generator = RandomGenerator(seed: 0)
        let model = PIPNet(inputChannels: 1, points: Self.points, neighbours: Self.neighbours, using: &generator)
        let names = model.stateDict().map(\.name)
        let reference = try Self.referenceState(try Self.fixture().reference)
        #expect(Set(names) == Set(reference.keys))
        #expect(names.count == 120 + 10)  // resnet18 without fc.weight, fc.bias; five heads
        #expect(
            Array(names.suffix(10)) == [
                "cls_layer.weight", "cls_layer.bias", "x_layer.weight", "x_layer.bias", "y_layer.weight",
                "y_layer.bias", "nb_x_layer.weight", "nb_x_layer.bias", "nb_y_layer.weight", "nb_y_layer.bias"
            ])
        #expect(model.neighbourXLayer.weight.shape == [15, 512, 1, 1])
        let resnetNames = resnet18(inputChannels: 1, outputs: 136, using: &generator).stateDict().map(\.name)
        #expect(
            Array(names.prefix(120)) == resnetNames.filter { !$0.hasPrefix("fc.") },
            "the trunk keeps ResNet's names and order")
    }

    @Test func mapsLossAndGradientsMatchPyTorch() throws {
        let (reference, exact) = try Self.fixture()
        var generator = RandomGenerator(seed: 0)
        let model = PIPNet(inputChannels: 1, points: Self.points, neighbours: Self.neighbours, using: &generator)
        try model.loadStateDict(try Self.referenceState(reference))
        model.train()
        let input = try #require(reference.tensors["input"])
        let maps = model.maps(input)
        let outputs = [maps.scores, maps.offsetX, maps.offsetY, maps.neighbourX, maps.neighbourY]
        for (index, output) in outputs.enumerated() {
            ModelTests.expectMatchesPyTorch(
                output, float32: try #require(reference.tensors["output.\(index)"]),
                float64: try #require(exact.tensors["output.\(index)"]), "PIPNet map \(index)")
        }
        #expect(maps.scores.shape == [2, 5, 3, 3] && maps.neighbourY.shape == [2, 15, 3, 3])

        let neighbours = PIPNetNeighbours(indices: Self.neighbourLists(try #require(reference.tensors["neighbours"])))
        let annotated = try #require(reference.tensors["points"])
        let batch = (0..<2).map { Self.points(annotated.slice(axis: 0, $0..<($0 + 1))) }
        let targets = PIPNetTargets(points: batch, neighbours: neighbours, height: 3, width: 3)
        let targetMaps = [targets.scores, targets.offsetX, targets.offsetY, targets.neighbourX, targets.neighbourY]
        for (index, target) in targetMaps.enumerated() {
            let expected = try #require(reference.tensors["targets.\(index)"])
            #expect(
                target.allClose(expected, rtol: 1e-5, atol: 1e-5),
                "target map \(index): \(differenceReport(target, expected))")
        }

        let loss = pipNetLoss(maps, targets)
        let parts = Tensor([
            loss.scores.item, loss.offsetX.item, loss.offsetY.item, loss.neighbourX.item, loss.neighbourY.item
        ])
        ModelTests.expectMatchesPyTorch(
            loss.total.reshaped([1]), float32: try #require(reference.tensors["loss"]),
            float64: try #require(exact.tensors["loss"]), "PIPNet loss")
        ModelTests.expectMatchesPyTorch(
            parts, float32: try #require(reference.tensors["loss_parts"]),
            float64: try #require(exact.tensors["loss_parts"]), "PIPNet loss parts")
        loss.total.backward()
        let parameters = Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.name, $0.parameter) })
        let gradients = reference.tensors.filter { $0.key.hasPrefix("grad.") }
        #expect(gradients.count == 8)
        for (key, expected) in gradients {
            let name = String(key.dropFirst(5))
            let grad = try #require(parameters[name]?.grad, "no gradient for \(name)")
            ModelTests.expectMatchesPyTorch(
                grad, float32: expected, float64: try #require(exact.tensors[key]), "PIPNet \(name) gradient")
        }

        let joined = withoutGradients { model(input) }
        #expect(joined.shape == [2, 5 * 3 + 2 * 15, 3, 3])
        #expect(joined.slice(axis: 1, 15..<30).allClose(maps.neighbourX.detached(), rtol: 1e-5, atol: 1e-5))
    }

    /// At stride 16 (scripts/fixtures/nn_pipnet16.py): the reference's `deconv1` (its weight the
    /// script's `hashed_uniform`) and `bn_deconv1` between the trunk and the same heads, so twice
    /// as many cells a side; maps, loss and gradients against PyTorch in training mode.
    @Test func stride16MatchesPyTorch() throws {
        let pipnet = try Self.fixture().reference
        let reference = try SafeTensors.read(
            contentsOf: Fixture.directory.appendingPathComponent("nn_pipnet16.safetensors"))
        let exact = try SafeTensors.read(
            contentsOf: Fixture.directory.appendingPathComponent("nn_pipnet16_f64.safetensors"))
        var generator = RandomGenerator(seed: 0)
        let model = PIPNet(
            inputChannels: 1, points: Self.points, neighbours: Self.neighbours, stride: 16, using: &generator)
        var state = try Self.referenceState(pipnet)
        for (key, value) in reference.tensors where key.hasPrefix("state.") { state[String(key.dropFirst(6))] = value }
        state["deconv1.weight"] = IntegralRegressionNetTests.hashedUniform([512, 512, 4, 4], seed: 3, bound: 0x1p-5)
        #expect(
            Set(model.stateDict().map(\.name)) == Set(state.keys), "the reference's names, deconv1 and bn_deconv1 added"
        )
        try model.loadStateDict(state)
        model.train()

        let maps = model.maps(try #require(pipnet.tensors["input"]))
        #expect(maps.scores.shape == [2, 5, 6, 6] && maps.neighbourX.shape == [2, 15, 6, 6], "96 px / 16")
        for (index, output) in [maps.scores, maps.offsetX, maps.offsetY, maps.neighbourX, maps.neighbourY].enumerated()
        {
            ModelTests.expectMatchesPyTorch(
                output, float32: try #require(reference.tensors["output.\(index)"]),
                float64: try #require(exact.tensors["output.\(index)"]), "stride-16 map \(index)")
        }
        let neighbours = PIPNetNeighbours(indices: Self.neighbourLists(try #require(pipnet.tensors["neighbours"])))
        let annotated = try #require(pipnet.tensors["points"])
        let batch = (0..<2).map { Self.points(annotated.slice(axis: 0, $0..<($0 + 1))) }
        let loss = pipNetLoss(maps, PIPNetTargets(points: batch, neighbours: neighbours, height: 6, width: 6))
        ModelTests.expectMatchesPyTorch(
            loss.total.reshaped([1]), float32: try #require(reference.tensors["loss"]),
            float64: try #require(exact.tensors["loss"]), "stride-16 loss")
        loss.total.backward()
        let parameters = Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.name, $0.parameter) })
        let gradients = reference.tensors.filter { $0.key.hasPrefix("grad.") }
        #expect(gradients.count == 8)
        for (key, rows) in gradients {
            let name = String(key.dropFirst(5))
            let grad = try #require(parameters[name]?.grad, "no gradient for \(name)")
            ModelTests.expectMatchesPyTorch(
                grad.slice(axis: 0, 0..<rows.shape[0]), float32: rows,
                float64: try #require(exact.tensors[key]), "stride-16 \(name) gradient")
        }
    }

    @Test func decodingMatchesTheReference() throws {
        let reference = try Self.fixture().reference
        let map = { (index: Int) throws -> Tensor in try #require(reference.tensors["decode.map.\(index)"]) }
        let maps = PIPNetMaps(
            scores: try map(0), offsetX: try map(1), offsetY: try map(2), neighbourX: try map(3),
            neighbourY: try map(4), neighbours: Self.neighbours)
        let neighbours = PIPNetNeighbours(indices: Self.neighbourLists(try #require(reference.tensors["neighbours"])))
        let predictions = maps.decoded(neighbours: neighbours, stride: 32)
        #expect(predictions.count == 2)
        let expected = (
            points: try #require(reference.tensors["decode.points"]),
            own: try #require(reference.tensors["decode.own"]),
            confidences: try #require(reference.tensors["decode.confidences"]),
            cells: try #require(reference.tensors["decode.cells"])
        )
        for (image, prediction) in predictions.enumerated() {
            let slice = { (tensor: Tensor) in tensor.slice(axis: 0, image..<(image + 1)) }
            let points = Self.points(slice(expected.points)), own = Self.points(slice(expected.own))
            #expect(prediction.cells == slice(expected.cells).scalars.map { Int($0) }, "image \(image) cells")
            #expect(prediction.confidences == slice(expected.confidences).scalars, "image \(image) confidences")
            for point in 0..<Self.points {
                #expect(
                    Self.distance(prediction.ownPoints[point], own[point]) < 1e-3,
                    "image \(image) point \(point): \(prediction.ownPoints[point]) vs \(own[point])")
                #expect(
                    Self.distance(prediction.points[point], points[point]) < 1e-3,
                    "image \(image) merged point \(point): \(prediction.points[point]) vs \(points[point])")
            }
        }
    }

    @Test func meanFaceNeighboursAreTheReferences() throws {
        let reference = try Self.fixture().reference
        let face = Self.points(try #require(reference.tensors["meanface12"]))
        let expected = Self.neighbourLists(try #require(reference.tensors["meanface12.neighbours"]))
        #expect(PIPNetNeighbours(meanFace: face, count: 4).indices == expected)
        let five = Self.points(try #require(reference.tensors["meanface"]))
        let neighbours = PIPNetNeighbours(meanFace: five, count: 3)
        #expect(neighbours.indices == Self.neighbourLists(try #require(reference.tensors["neighbours"])))
        // Every predictor of point i names i among its neighbours; padding repeats them cyclically.
        for (point, predictors) in neighbours.predictors.enumerated() {
            #expect(predictors.allSatisfy { neighbours.indices[$0.point][$0.slot] == point })
        }
        let longest = neighbours.predictors.map(\.count).max()!
        #expect(neighbours.paddedPredictors.allSatisfy { $0.count == longest })
        // Coinciding points: a point never counts itself, equal distances go to the lower index.
        let ties = PIPNetNeighbours(meanFace: [SIMD2(0, 0), SIMD2(0, 0), SIMD2(1, 0), SIMD2(-1, 0)], count: 2)
        #expect(ties.indices == [[1, 2], [0, 2], [0, 1], [0, 1]])
    }

    /// The loss tests' tiny batch: 2 images, 3 points, 2 neighbours, 2 x 3 cells, and five
    /// random maps. Seed 3 keeps every offset at least 0.03 from its target, clear of L1's kink
    /// for the 1e-2 steps of float32 finite differences.
    struct TinyBatch {
        static let neighbours = PIPNetNeighbours(indices: [[1, 2], [2, 0], [0, 1]])
        static let points: [[SIMD2<Float>]] = [
            [SIMD2(0.2, 0.3), SIMD2(0.7, 0.4), SIMD2(0.5, 0.8)],
            [SIMD2(0.1, 0.9), SIMD2(0.55, 0.15), SIMD2(0.9, 0.6)]
        ]
        /// Point 1 of image 0 absent.
        static let present = [[true, false, true], [true, true, true]]
        /// Scores, offset x and y `[2, 3, 2, 3]`; neighbour x and y `[2, 6, 2, 3]`.
        let maps: [Tensor]

        init() {
            var generator = RandomGenerator(seed: 3)
            maps = [[2, 3, 2, 3], [2, 3, 2, 3], [2, 3, 2, 3], [2, 6, 2, 3], [2, 6, 2, 3]].map {
                Tensor.randomNormal($0, using: &generator)
            }
        }

        static func targets(_ points: [[SIMD2<Float>]] = points, present: [[Bool]]? = nil) -> PIPNetTargets {
            PIPNetTargets(points: points, present: present, neighbours: neighbours, height: 2, width: 3)
        }

        static func loss(_ maps: [Tensor], _ targets: PIPNetTargets, _ scoreLoss: PIPNetScoreLoss = .mse) -> PIPNetLoss
        {
            pipNetLoss(
                PIPNetMaps(
                    scores: maps[0], offsetX: maps[1], offsetY: maps[2], neighbourX: maps[3], neighbourY: maps[4],
                    neighbours: 2),
                targets, scoreLoss: scoreLoss)
        }
    }

    /// The loss's gradient with respect to each of the five maps against central finite differences.
    @Test func lossGradientsMatchFiniteDifferences() {
        let inputs = TinyBatch().maps, targets = TinyBatch.targets()
        #expect(targets.cells == [0, 2, 4, 3, 1, 5])
        let gaps = zip(inputs[1...], [targets.offsetX, targets.offsetY, targets.neighbourX, targets.neighbourY]).map {
            maps, target in
            let perCell = maps.shape[1] / 3
            return
                (selectCells(maps, at: targets.cells, channelsPerCell: perCell)
                - selectCells(target, at: targets.cells, channelsPerCell: perCell)).abs().scalars.min()!
        }
        #expect(gaps.min()! > 0.03, "\(gaps)")
        let result = checkGradients(of: { TinyBatch.loss($0, targets).total }, at: inputs)
        #expect(result.maxError < 1e-2, "\(result)")
        let selection = checkGradients(
            of: { maps in
                let selected = selectCells(maps[0], at: [5, 0, 3, 1, 2, 4], channelsPerCell: 2)
                return selected * selected
            }, at: [inputs[3]])
        #expect(selection.maxError < 1e-2, "\(selection)")
    }

    /// Absent points: the masked loss is the reference loss of the annotated entries only. With
    /// point 1 of image 0 absent, its position does not matter, its maps get no gradient, and
    /// each part equals the mean over the kept entries computed by hand; a mask of all points
    /// gives the unmasked loss; the masked loss's gradients match finite differences.
    @Test func absentPointsAreMaskedOutOfTheLoss() throws {
        let maps = TinyBatch().maps, present = TinyBatch.present
        let loss = { TinyBatch.loss($0, $1) }
        let masked = TinyBatch.targets(present: present)
        var moved = TinyBatch.points
        moved[0][1] = SIMD2(Float.nan, .nan)
        let parts = loss(maps, masked), movedParts = loss(maps, TinyBatch.targets(moved, present: present))
        for (a, b) in zip(
            [parts.total, parts.scores, parts.neighbourX], [movedParts.total, movedParts.scores, movedParts.neighbourX])
        {
            #expect(a.item == b.item)
        }
        // Scores: the five annotated points' maps, 6 cells each.
        let unmasked = TinyBatch.targets()
        let scoreValues = maps[0].scalars, scoreTargets = unmasked.scores.scalars
        var sum: Float = 0
        for image in 0..<2 {
            for point in 0..<3 where present[image][point] {
                for cell in 0..<6 {
                    let i = (image * 3 + point) * 6 + cell
                    sum += (scoreValues[i] - scoreTargets[i]) * (scoreValues[i] - scoreTargets[i])
                }
            }
        }
        #expect(abs(parts.scores.item - sum / 30) < 1e-5)
        // Neighbour offsets: point 1 of image 0 is nobody's source, and the neighbours that are point 1
        // (point 0's slot 0, point 2's slot 1) are unknown: 12 slots - 2 - 2 = 8 kept.
        #expect(masked.neighbourMask?.scalars == [0, 1, 0, 0, 1, 0, 1, 1, 1, 1, 1, 1])
        #expect(masked.pointMask?.scalars == [1, 0, 1, 1, 1, 1])
        let all = TinyBatch.targets(present: [[true, true, true], [true, true, true]])
        #expect(all.pointMask == nil && loss(maps, all).total.item == loss(maps, unmasked).total.item)

        let parameters = maps.map { Parameter($0) }
        loss(parameters.map(\.value), masked).total.backward()
        for (index, channels) in [(0, 1), (1, 1), (2, 1), (3, 2), (4, 2)] {
            let grad = try #require(parameters[index].grad).scalars
            // Image 0, point 1: channels 1 ..< 2 (its own maps) or 2 ..< 4 (its neighbour maps).
            let absent = grad[(channels * 6)..<(2 * channels * 6)]
            #expect(absent.allSatisfy { $0 == 0 }, "map \(index): \(Array(absent))")
        }
        let check = checkGradients(of: { loss($0, masked).total }, at: maps)
        #expect(check.maxError < 1e-2, "\(check)")
    }

    /// Adaptive wing on the scores: the score part is ``adaptiveWingLoss`` of the score maps
    /// against the one-hot targets over the annotated points' maps, weighted 1; the offset parts
    /// do not change; an absent point's score map gets no gradient; gradients match finite
    /// differences.
    @Test func adaptiveWingScoresReplaceTheSquaredError() throws {
        let maps = TinyBatch().maps, targets = TinyBatch.targets()
        let wing = TinyBatch.loss(maps, targets, .adaptiveWing), squared = TinyBatch.loss(maps, targets, .mse)
        #expect(abs(wing.scores.item - adaptiveWingLoss(maps[0], targets.scores).item) < 1e-5)
        #expect(wing.offsetX.item == squared.offsetX.item && wing.neighbourY.item == squared.neighbourY.item)
        let offsets = wing.offsetX.item + wing.offsetY.item + wing.neighbourX.item + wing.neighbourY.item
        #expect(abs(wing.total.item - (wing.scores.item + offsets)) < 1e-4)
        #expect(abs(squared.total.item - (10 * squared.scores.item + offsets)) < 1e-4)

        // Point 1 of image 0 absent: the score part is the mean over the other five maps.
        let masked = TinyBatch.targets(present: TinyBatch.present)
        let scoreMaps = maps[0].reshaped([6, 6]), scoreTargets = targets.scores.reshaped([6, 6])
        let keptSum: Float = [0, 2, 3, 4, 5].map { (row: Int) -> Float in
            adaptiveWingLoss(
                scoreMaps.slice(axis: 0, row..<(row + 1)), scoreTargets.slice(axis: 0, row..<(row + 1)), reduction: .sum
            ).item
        }.reduce(0, +)
        #expect(abs(TinyBatch.loss(maps, masked, .adaptiveWing).scores.item - keptSum / 30) < 1e-5)
        let parameters = maps.map { Parameter($0) }
        TinyBatch.loss(parameters.map(\.value), masked, .adaptiveWing).total.backward()
        #expect(try #require(parameters[0].grad).scalars[6..<12].allSatisfy { $0 == 0 })
        let check = checkGradients(of: { TinyBatch.loss($0, masked, .adaptiveWing).total }, at: maps)
        #expect(check.maxError < 1e-2, "\(check)")
    }

    /// `PIPNetMaps(joined:)` splits ``PIPNet/forward(_:)``'s output back into ``PIPNet/maps(_:)``.
    @Test func joinedOutputSplitsIntoTheMaps() {
        var generator = RandomGenerator(seed: 2)
        let model = PIPNet(inputChannels: 1, points: 4, neighbours: 2, using: &generator)
        model.eval()
        let input = Tensor.randomNormal([2, 1, 64, 96], using: &generator)
        let maps = withoutGradients { model.maps(input) }
        let split = PIPNetMaps(joined: withoutGradients { model(input) }, points: 4, neighbours: 2)
        #expect(split.height == 2 && split.width == 3)
        for (a, b) in zip(
            [maps.scores, maps.offsetX, maps.offsetY, maps.neighbourX, maps.neighbourY],
            [split.scores, split.offsetX, split.offsetY, split.neighbourX, split.neighbourY])
        {
            #expect(a.shape == b.shape && a.scalars == b.scalars)
        }
    }
}
