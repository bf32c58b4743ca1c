import Tensor

/// Max pooling of one plane: the kernels behind ``maxPool2d(_:kernel:stride:padding:ceilMode:)``.
///
/// Every kernel writes, for each window, its largest value into `out` and the flat input index
/// of that value into `indices` (for the backward pass), output rows `outW` apart. All make
/// the same choice as scanning each window row-major: the first maximum, and a NaN wins (the
/// last one if several). Windows that hang over the bottom or right edge (ceil mode's last row
/// and column) cover only what is inside the input, as PyTorch's.
///
/// The plane `[H, W]` starts at `plane`; `g` holds its size, the window, stride and padding;
/// the output is `outH x outW` (more than `g`'s floor-mode size in ceil mode).
func maxPoolPlane(
    _ plane: UnsafePointer<Float>, _ g: ConvolutionGeometry, outH: Int, outW: Int,
    into out: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>
) {
    let stride2 = g.strideY == 2 && g.strideX == 2
    if stride2 && g.kernelHeight == 3 && g.kernelWidth == 3 && g.paddingY <= 1 && g.paddingX <= 1 {
        // MTCNN's R-Net and O-Net (padding 0, ceil mode) and ResNet's stem (padding 1).
        maxPool3x3Stride2(plane, g, outH: outH, outW: outW, into: out, indices: indices)
    } else if stride2 && g.kernelHeight == 2 && g.kernelWidth == 2 && g.paddingY == 0 && g.paddingX == 0 {
        // MTCNN's P-Net (ceil mode) and O-Net's last pooling: the whole windows on the vector
        // path, then ceil mode's partial last column and last row (one input column or row).
        let wholeRows = Swift.min(g.outputHeight, outH), wholeColumns = Swift.min(g.outputWidth, outW)
        maxPool2x2Stride2(
            plane, width: g.width, rows: wholeRows, columns: wholeColumns,
            into: out, indices: indices, outW: outW)
        maxPoolWindows(
            plane, g, rows: 0..<wholeRows, columns: wholeColumns..<outW, into: out, indices: indices, outW: outW)
        maxPoolWindows(plane, g, rows: wholeRows..<outH, columns: 0..<outW, into: out, indices: indices, outW: outW)
    } else {
        maxPoolWindows(plane, g, rows: 0..<outH, columns: 0..<outW, into: out, indices: indices, outW: outW)
    }
}

/// Any window, stride and padding, for the output rows `rows` and columns `columns`.
///
/// Row by row: the first maximum of each window's part of input row y, merged into the output
/// row when greater, with the row's values read once per window column instead of once per
/// window. Padding counts as -infinity: a window's index starts at its first position inside
/// the input.
private func maxPoolWindows(
    _ plane: UnsafePointer<Float>, _ g: ConvolutionGeometry, rows: Range<Int>, columns: Range<Int>,
    into out: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>, outW: Int
) {
    guard !columns.isEmpty else { return }
    for oy in rows {
        let y0 = oy * g.strideY - g.paddingY
        let yStart = Swift.max(y0, 0), yEnd = Swift.min(y0 + g.kernelHeight, g.height)
        let outRow = out + oy * outW, indexRow = indices + oy * outW
        for ox in columns {
            outRow[ox] = -.infinity
            indexRow[ox] = Int32(yStart * g.width + Swift.max(ox * g.strideX - g.paddingX, 0))
        }
        for y in yStart..<yEnd {
            let row = plane + y * g.width
            for ox in columns {
                let x0 = ox * g.strideX - g.paddingX
                let xStart = Swift.max(x0, 0), xEnd = Swift.min(x0 + g.kernelWidth, g.width)
                var best = row[xStart], bestX = xStart
                for x in (xStart + 1)..<xEnd {
                    // Selects, not branches: the comparisons are data-dependent.
                    let value = row[x], take = value > best || value != value
                    best = take ? value : best
                    bestX = take ? x : bestX
                }
                let take = best > outRow[ox] || best != best
                outRow[ox] = take ? best : outRow[ox]
                indexRow[ox] = take ? Int32(y * g.width + bestX) : indexRow[ox]
            }
        }
    }
}

/// The 2x2 window with stride 2 and no padding, for the `rows x columns` windows that lie
/// wholly inside the plane, eight output columns at a time: sixteen input columns split into
/// their even and odd halves are the windows' left and right columns.
private func maxPool2x2Stride2(
    _ plane: UnsafePointer<Float>, width: Int, rows: Int, columns: Int,
    into out: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>, outW: Int
) {
    let lanes = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14)
    for oy in 0..<rows {
        let top = plane + 2 * oy * width, bottom = top + width
        let outRow = out + oy * outW, indexRow = indices + oy * outW
        let topIndex = Int32(2 * oy * width)
        var ox = 0
        while ox + 8 <= columns {
            let upper = UnsafeRawPointer(top + 2 * ox).loadUnaligned(as: SIMD16<Float>.self)
            let lower = UnsafeRawPointer(bottom + 2 * ox).loadUnaligned(as: SIMD16<Float>.self)
            let first = topIndex &+ Int32(2 * ox) &+ lanes
            var best = upper.evenHalf, index = first
            @inline(__always) func consider(_ candidate: SIMD8<Float>, _ offset: Int32) {
                let take = (candidate .> best) .| (candidate .!= candidate)
                best.replace(with: candidate, where: take)
                index.replace(with: first &+ offset, where: take)
            }
            consider(upper.oddHalf, 1)
            consider(lower.evenHalf, Int32(width))
            consider(lower.oddHalf, Int32(width + 1))
            store8(best, outRow + ox)
            UnsafeMutableRawPointer(indexRow + ox).storeBytes(of: index, as: SIMD8<Int32>.self)
            ox += 8
        }
        for ox in ox..<columns {
            let topLeft = 2 * oy * width + 2 * ox
            var best = plane[topLeft], bestIndex = topLeft
            @inline(__always) func consider(_ index: Int) {
                if plane[index] > best || plane[index].isNaN {
                    best = plane[index]
                    bestIndex = index
                }
            }
            consider(topLeft + 1)
            consider(topLeft + width)
            consider(topLeft + width + 1)
            outRow[ox] = best
            indexRow[ox] = Int32(bestIndex)
        }
    }
}

/// The 3x3 window with stride 2 and padding 0 or 1, eight output columns at a time. Window
/// `ox` covers input columns `2ox - p ... 2ox - p + 2`; each input row is split into the
/// columns `2i - p` (even) and `2i + 1 - p` (odd), -infinity outside the input (padding, or
/// ceil mode's overhang), so the window's three columns are the contiguous vectors
/// `even[ox]`, `odd[ox]`, `even[ox + 1]` and the comparisons become vector selects.
private func maxPool3x3Stride2(
    _ plane: UnsafePointer<Float>, _ g: ConvolutionGeometry, outH: Int, outW: Int,
    into out: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>
) {
    let width = g.width, padding = g.paddingX
    withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * (outW + 9)) { scratch in
        let even = scratch.baseAddress!, odd = even + outW + 9
        let lanes = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14)
        for oy in 0..<outH {
            let y0 = 2 * oy - g.paddingY
            let yStart = Swift.max(y0, 0), yEnd = Swift.min(y0 + 3, g.height)
            let outRow = out + oy * outW, indexRow = indices + oy * outW
            outRow.update(repeating: -.infinity, count: outW)
            for ox in 0..<outW { indexRow[ox] = Int32(yStart * width + Swift.max(2 * ox - padding, 0)) }
            for y in yStart..<yEnd {
                let row = plane + y * width
                for i in 0...outW {
                    let left = 2 * i - padding, right = left + 1
                    even[i] = left >= 0 && left < width ? row[left] : -.infinity
                    odd[i] = right >= 0 && right < width ? row[right] : -.infinity
                }
                let rowBase = Int32(y * width)
                var ox = 0
                while ox + 8 <= outW {
                    let a = load8(even + ox), b = load8(odd + ox), c = load8(even + ox + 1)
                    let first = Int32(2 * ox - padding) &+ lanes
                    var best = a, column = first
                    let takeB = (b .> best) .| (b .!= b)
                    best.replace(with: b, where: takeB)
                    column.replace(with: first &+ 1, where: takeB)
                    let takeC = (c .> best) .| (c .!= c)
                    best.replace(with: c, where: takeC)
                    column.replace(with: first &+ 2, where: takeC)
                    let current = load8(outRow + ox)
                    let take = (best .> current) .| (best .!= best)
                    store8(current.replacing(with: best, where: take), outRow + ox)
                    let index = UnsafeRawPointer(indexRow + ox).loadUnaligned(as: SIMD8<Int32>.self)
                    // Column -1 (padding, all -infinity) counts as column 0; arithmetic, not a
                    // masked select, which would not vectorize without SSE4.
                    let chosen = rowBase &+ (column & ~(column &>> 31))
                    UnsafeMutableRawPointer(indexRow + ox).storeBytes(
                        of: index.replacing(with: chosen, where: take), as: SIMD8<Int32>.self)
                    ox += 8
                }
                for ox in ox..<outW {
                    var best = even[ox], column = 2 * ox - padding
                    if odd[ox] > best || odd[ox].isNaN {
                        best = odd[ox]
                        column += 1
                    }
                    if even[ox + 1] > best || even[ox + 1].isNaN {
                        best = even[ox + 1]
                        column = 2 * ox - padding + 2
                    }
                    if best > outRow[ox] || best.isNaN {
                        outRow[ox] = best
                        indexRow[ox] = rowBase + Int32(Swift.max(column, 0))
                    }
                }
            }
        }
    }
}

@inline(__always) private func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) private func store8(_ value: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: value, as: SIMD8<Float>.self)
}
