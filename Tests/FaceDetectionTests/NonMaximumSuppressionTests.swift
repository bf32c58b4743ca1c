import Tensor
import TestSupport
import Testing

@testable import FaceDetection

@Suite("Non-maximum suppression against torchvision and facenet-pytorch")
struct NonMaximumSuppressionTests {
    func indices(_ t: Tensor) -> [Int] { t.scalars.map { Int($0) } }

    @Test("nms and batched_nms (coordinate-offset path), with tied scores", arguments: ["0.3", "0.5", "0.7"])
    func torchvision(threshold: String) throws {
        let f = try Fixture.shared("mtcnn_pipeline")
        let boxes = try f.tensor("nms.boxes").scalars, scores = try f.tensor("nms.scores").scalars
        let groups = indices(try f.tensor("nms.groups"))
        let t = Double(threshold)!
        #expect(
            NonMaximumSuppression.select(boxes: boxes, scores: scores, iouThreshold: t)
                == indices(try f.tensor("nms.keep_\(threshold)")))
        #expect(
            NonMaximumSuppression.select(boxes: boxes, scores: scores, groups: groups, iouThreshold: t)
                == indices(try f.tensor("nms.batched_keep_\(threshold)")))
    }

    @Test("batched_nms above 4000 coordinates (per-group path), many ties")
    func torchvisionVanilla() throws {
        let f = try Fixture.shared("mtcnn_pipeline")
        let keep = NonMaximumSuppression.select(
            boxes: try f.tensor("nms.big_boxes").scalars, scores: try f.tensor("nms.big_scores").scalars,
            groups: indices(try f.tensor("nms.big_groups")), iouThreshold: 0.5)
        #expect(keep == indices(try f.tensor("nms.big_batched_keep_0.5")))
    }

    @Test("facenet-pytorch's batched_nms_numpy with 'Min'", arguments: ["0.5", "0.7"])
    func minimum(threshold: String) throws {
        let f = try Fixture.shared("mtcnn_pipeline")
        let keep = NonMaximumSuppression.selectInclusive(
            boxes: try f.tensor("nms.min_boxes").scalars, scores: try f.tensor("nms.min_scores").scalars,
            groups: indices(try f.tensor("nms.min_groups")), threshold: Float(threshold)!, overlap: .minimum)
        #expect(keep == indices(try f.tensor("nms.min_keep_\(threshold)")))
    }

    @Test("empty input, identical boxes, and groups that never suppress each other")
    func edges() {
        #expect(NonMaximumSuppression.select(boxes: [], scores: [], iouThreshold: 0.5).isEmpty)
        #expect(NonMaximumSuppression.selectInclusive(boxes: [], scores: [], threshold: 0.5, overlap: .minimum).isEmpty)
        let same: [Float] = [0, 0, 10, 10, 0, 0, 10, 10]
        #expect(NonMaximumSuppression.select(boxes: same, scores: [0.5, 0.5], iouThreshold: 0.5) == [0])
        #expect(
            NonMaximumSuppression.select(boxes: same, scores: [0.5, 0.5], groups: [0, 1], iouThreshold: 0.5) == [0, 1])
        // A box inside another: IoU 0.25 keeps both; 'Min' overlap 1 drops the smaller.
        let nested: [Float] = [0, 0, 9, 9, 0, 0, 4, 4]
        #expect(
            NonMaximumSuppression.selectInclusive(boxes: nested, scores: [0.9, 0.8], threshold: 0.7, overlap: .union)
                == [0, 1])
        #expect(
            NonMaximumSuppression.selectInclusive(boxes: nested, scores: [0.9, 0.8], threshold: 0.7, overlap: .minimum)
                == [0])
    }
}

@Suite("PyTorch's unstable descending sort")
struct TorchSortOrderTests {
    @Test("forty equal values come out as torch.sort orders them")
    func ties() {
        let order = NonMaximumSuppression.torchDescendingOrder([Float](repeating: 0.5, count: 40))
        #expect(
            Array(order.prefix(20)) == [30, 21, 22, 23, 24, 25, 26, 27, 28, 29, 20, 31, 32, 33, 34, 35, 36, 37, 38, 39])
    }
}
