import Tensor

extension PIPNetMaps {
    /// Points from the maps (inference; records no gradients), as PIPNet's `forward_pip` and
    /// neighbour merging: per point the cell of the highest score (the first one on ties), its
    /// own estimate `(cell + offset) * stride`, the estimates its neighbours make of it from
    /// their own peak cells (`(cell + neighbour offset) * stride`), and the mean of all of them
    /// (see ``PIPNetNeighbours/paddedPredictors`` for how many of each).
    ///
    /// - Parameters:
    ///   - neighbours: the lists the model was trained with (same points and count).
    ///   - stride: input pixels per cell (32 for ``PIPNet``).
    /// - Returns: one prediction per image of the batch.
    public func decoded(neighbours: PIPNetNeighbours, stride: Float = 32) -> [PIPNetPrediction] {
        precondition(
            neighbours.points == points && neighbours.count == self.neighbours,
            "PIPNetMaps.decoded: maps of \(points) points with \(self.neighbours) neighbours each, "
                + "neighbour lists of \(neighbours.points) points with \(neighbours.count)")
        let cellsPerMap = height * width
        let merging = neighbours.paddedPredictors
        return (0..<batchSize).map { image in
            var cells = [Int](repeating: 0, count: points), confidences = [Float](repeating: 0, count: points)
            var own = [SIMD2<Float>](repeating: .zero, count: points)
            // estimates[i * count + j]: where neighbour j of point i says indices[i][j] lies.
            var estimates = [SIMD2<Float>](repeating: .zero, count: points * neighbours.count)
            self.scores.withUnsafeBufferPointer { scores in
                for point in 0..<points {
                    let map = scores[((image * points + point) * cellsPerMap)...].prefix(cellsPerMap)
                    var best = map.startIndex
                    for index in map.indices where map[index] > map[best] { best = index }
                    cells[point] = best - map.startIndex
                    confidences[point] = map[best]
                }
            }
            /// `(cell + offset) * stride` for the offset map channel `channel` at `cell`.
            func position(
                _ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>, channel: Int, channels: Int, cell: Int
            ) -> SIMD2<Float> {
                let index = (image * channels + channel) * cellsPerMap + cell
                let corner = SIMD2(Float(cell % width), Float(cell / width))
                return (corner + SIMD2(x[index], y[index])) * stride
            }
            offsetX.withUnsafeBufferPointer { x in
                offsetY.withUnsafeBufferPointer { y in
                    for point in 0..<points {
                        own[point] = position(x, y, channel: point, channels: points, cell: cells[point])
                    }
                }
            }
            let channels = points * neighbours.count
            neighbourX.withUnsafeBufferPointer { x in
                neighbourY.withUnsafeBufferPointer { y in
                    for channel in 0..<channels {
                        estimates[channel] = position(
                            x, y, channel: channel, channels: channels, cell: cells[channel / neighbours.count])
                    }
                }
            }
            let merged = (0..<points).map { point in
                let sources = merging[point]
                let sum = sources.reduce(own[point]) { $0 + estimates[$1.point * neighbours.count + $1.slot] }
                return sum / Float(1 + sources.count)
            }
            return PIPNetPrediction(points: merged, ownPoints: own, confidences: confidences, cells: cells)
        }
    }
}
