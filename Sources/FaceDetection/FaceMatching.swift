import Vision

/// Pairs detected faces with annotated ones, as detection benchmarks count them.
public enum FaceMatching {
    /// For each annotation, the index of its detection, or nil: pairs with IoU >= `minimumIoU`
    /// are taken greedily by decreasing IoU (ties: detection, then annotation order), each
    /// detection and each annotation at most once.
    public static func greedy(detections: [BoundingBox], annotations: [BoundingBox], minimumIoU: Float = 0.5) -> [Int?]
    {
        var pairs: [(iou: Float, detection: Int, annotation: Int)] = []
        for (d, detection) in detections.enumerated() {
            for (a, annotation) in annotations.enumerated() {
                let iou = detection.intersectionOverUnion(with: annotation)
                if iou >= minimumIoU { pairs.append((iou, d, a)) }
            }
        }
        pairs.sort { ($0.iou, -$0.detection, -$0.annotation) > ($1.iou, -$1.detection, -$1.annotation) }
        var match = [Int?](repeating: nil, count: annotations.count), used = Set<Int>()
        for pair in pairs where match[pair.annotation] == nil && !used.contains(pair.detection) {
            match[pair.annotation] = pair.detection
            used.insert(pair.detection)
        }
        return match
    }
}
