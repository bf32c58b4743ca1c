import Foundation

/// The pictures a person looks at after training or evaluating: loss curves, dataloader
/// samples, the best and worst predictions, first-layer filters, and cumulative error curves.
public enum TrainingReports {
    /// Training and validation loss per epoch, labeled with the loss that was trained.
    public static func lossPlot(
        _ history: TrainingHistory, title: String, loss: TrainingConfiguration.Loss = .mse
    ) -> Image {
        var plot = LinePlot(title: title, xLabel: "epoch", yLabel: "loss (\(loss.rawValue), normalized coordinates)")
        let epochs = (1...Swift.max(history.epochs, 1)).map(Float.init)
        plot.add(
            "train", x: Array(epochs.prefix(history.trainLoss.count)), y: history.trainLoss, color: Color.palette[0],
            markers: history.epochs < 30)
        plot.add(
            "validation", x: Array(epochs.prefix(history.validationLoss.count)), y: history.validationLoss,
            color: Color.palette[1],
            markers: history.epochs < 30)
        plot.logarithmicY = true
        return plot.render(width: 720, height: 480)
    }

    /// `count` samples as the data loader delivers them (augmented), with their target points
    /// in green, enlarged to at least 160 px tall.
    public static func samplesGrid(_ batch: Batch, format: InputFormat, count: Int = 8) -> Image {
        let images = Image.images(fromBatch: batch.inputs)
        let factor = Swift.max(1, 160 / format.height)
        let tiles = zip(images, batch.info).prefix(count).map { image, info -> Image in
            var tile = format.pixels.image(image.tensor()).rgb()
                .resized(width: format.width * factor, height: format.height * factor, interpolation: .nearest)
            tile.drawKeypoints(info.keypoints.map { $0 * Float(factor) }, color: .groundTruth, radius: 2)
            return tile
        }
        return Image.grid(Array(tiles), columns: 4, margin: 4)
    }

    /// The two best and two worst predictions (by mean error), on the original photos cropped
    /// to the model's input region: ground truth green, prediction red, the error in the caption.
    public static func predictionsGrid(
        _ predictions: [KeypointPrediction], dataset: FaceDataset, tileHeight: Int = 240
    ) throws -> Image {
        let sorted = predictions.sorted { $0.meanError < $1.meanError }
        let chosen = Array(sorted.prefix(2)) + Array(sorted.suffix(Swift.min(2, Swift.max(0, sorted.count - 2))))
        var tiles: [Image] = [], captions: [String] = []
        for (rank, prediction) in chosen.enumerated() {
            let face = dataset.faces[prediction.index]
            let photo = try Image(contentsOf: face.image, applyOrientation: false).rgb()
            let region = dataset.cropRegion(at: prediction.index)
            let width = Swift.max(1, Int((Float(tileHeight) * region.width / region.height).rounded()))
            let transform = Affine2D.mapping(region, toWidth: width, height: tileHeight)
            var tile = photo.warped(by: transform, width: width, height: tileHeight)
            tile.drawKeypointComparison(
                groundTruth: transform.apply(prediction.truth), prediction: transform.apply(prediction.predicted),
                radius: 2.5)
            tiles.append(tile)
            // The caption must fit under the tile: the file's stem, shortened, and the error.
            let label = String(format: "%@ %.1f px ", rank < 2 ? "best" : "worst", prediction.meanError)
            let stem = ((prediction.identity as NSString).lastPathComponent as NSString).deletingPathExtension
            let room = Swift.max(0, width / 12 - label.count)
            captions.append(label + (stem.count > room ? String(stem.prefix(Swift.max(0, room - 2))) + ".." : stem))
        }
        return Image.grid(tiles, columns: 2, margin: 6, captions: captions, captionScale: 2)
    }

    /// The first convolution's filters, normalized one by one, enlarged.
    /// Shape: `weights` is `[out, in, kH, kW]`.
    public static func filters(_ weights: Tensor) -> Image {
        Image.filterGrid(
            weights, scale: Swift.max(4, 48 / Swift.max(weights.shape[2], 1)), margin: 3,
            columns: Swift.min(8, weights.shape[0]))
    }

    /// The cumulative error curve: the fraction of images whose normalized error is below x.
    public static func cumulativeErrorPlot(
        _ predictions: [KeypointPrediction], threshold: Float, normalization: String
    ) -> Image {
        var plot = LinePlot(
            title: "cumulative error distribution", xLabel: "NME (\(normalization))", yLabel: "fraction of images")
        plot.add(
            "model",
            points: KeypointMetrics.cumulativeErrorCurve(
                predictions.map(\.normalizedError).filter(\.isFinite), threshold: threshold, steps: 200),
            color: .blue)
        plot.xRange = 0...threshold
        plot.yRange = 0...1
        return plot.render(width: 640, height: 480)
    }

    /// Several evaluations' cumulative error curves in one plot, each named with its NME,
    /// failure rate and AUC at `threshold` (missed faces count as failures).
    public static func cumulativeErrorPlot(_ summaries: [ErrorSummary], threshold: Float) -> Image {
        var plot = LinePlot(
            title: "cumulative error distribution", xLabel: "NME (\(summaries.first?.normalization ?? ""))",
            yLabel: "fraction of faces")
        for (index, summary) in summaries.enumerated() {
            let finite = summary.faces.filter(\.isFinite)
            let nme = finite.reduce(0, +) / Float(Swift.max(finite.count, 1))
            let failures = KeypointMetrics.failureRate(summary.faces, threshold: threshold)
            let auc = KeypointMetrics.areaUnderCurve(summary.faces, threshold: threshold)
            let name = String(
                format: "%@: NME %.2f%%, fail %.1f%%, AUC %.3f", summary.label, 100 * nme, 100 * failures, auc)
            plot.add(
                name, points: summary.cumulativeCurve(threshold: threshold),
                color: Color.palette[index % Color.palette.count])
        }
        plot.xRange = 0...threshold
        plot.yRange = 0...1
        return plot.render(width: 720, height: 520)
    }

    /// Each point's mean normalized error on the mean face: a disc whose radius and colour
    /// (green to red) grow with the error up to `largest` (default: this summary's largest; give
    /// the same to panels that are compared), the five hardest points numbered (0-based) and listed.
    public static func perPointErrorPlot(_ summary: ErrorSummary, largest: Float? = nil, size: Int = 560) -> Image {
        var image = Image(width: size, height: size + 60, color: .white)
        let top = largest ?? summary.points.filter(\.isFinite).max() ?? 1
        let margin = Float(size) * 0.12, scale = Float(size) - 2 * margin
        func place(_ point: [Float]) -> Point { Point(margin + point[0] * scale, 20 + margin * 0.5 + point[1] * scale) }
        for (point, error) in zip(summary.meanFace, summary.points) where error.isFinite && point[0].isFinite {
            let t = top > 0 ? Swift.min(error / top, 1) : 0
            image.fillCircle(
                center: place(point), radius: 2 + 10 * t, color: Color(red: t, green: 0.75 * (1 - t), blue: 0.1))
        }
        let hardest = summary.points.indices.filter { summary.points[$0].isFinite }.sorted {
            summary.points[$0] > summary.points[$1]
        }.prefix(5)
        for index in hardest {
            let p = place(summary.meanFace[index])
            image.drawText("\(index)", x: Int(p.x) + 13, y: Int(p.y) - 4, color: .black)
        }
        image.drawText(summary.label, x: 8, y: 8, color: .black, scale: summary.label.count * 12 <= size - 16 ? 2 : 1)
        let list = hardest.map { String(format: "%d: %.1f%%", $0, 100 * summary.points[$0]) }.joined(separator: ", ")
        image.drawText("hardest points: \(list)", x: 8, y: size + 20, color: .black)
        image.drawText(
            String(format: "per-point NME (%@); red and largest: %.1f%% or more", summary.normalization, 100 * top),
            x: 8, y: size + 38, color: .black)
        return image
    }
}
