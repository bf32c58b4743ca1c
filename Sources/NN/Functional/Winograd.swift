import Tensor

/// A 3x3, stride-1 convolution computed with Winograd's minimal filtering F(2x2, 3x3)
/// (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016).
///
/// The output is cut into 2x2 blocks. Each block depends on a 4x4 input tile; transformed
/// (`V = Bᵀ d B`) and multiplied element by element with the transformed kernel
/// (`U = G g Gᵀ`), then transformed back (`Y = Aᵀ M A`), a tile gives its block with 16
/// multiplications per channel pair instead of 36. Summed over input channels, the 16
/// element-wise products are 16 matrix products `U[ξ] [O, C] x V[ξ] [C, tiles]`, run by
/// BLAS: 2.25 times fewer multiply-adds than im2col's single product, and a 4x smaller
/// scratch (16 values per 4 outputs instead of 9 per output and channel).
///
/// It serves the forward pass (`conv2d`), the input gradient (for a stride-1 convolution, the
/// same kind of convolution of the output gradient with the kernels rotated by 180 degrees
/// and their channel axes swapped, padded by `2 - padding`) and the kernel gradient (the
/// adjoint of the forward pass, in the transformed domain).
struct WinogradConvolution {
    /// The convolution computed: 3x3 kernel, stride 1, dilation 1.
    let g: ConvolutionGeometry
    let outChannels: Int
    let tilesY: Int, tilesX: Int

    /// Whether Winograd's method computes `g`: 3x3, stride 1, no dilation, padding at most 2
    /// (so that the input gradient is one too).
    static func supports(_ g: ConvolutionGeometry) -> Bool {
        g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideY == 1 && g.strideX == 1
            && g.dilationY == 1 && g.dilationX == 1 && g.paddingY <= 2 && g.paddingX <= 2
    }

    /// Whether it also pays off: with fewer than 64 channels on either side (StudyPart2Net's first
    /// layers), or fewer than 64 tiles in the batch (ResNet18's last layers for one image),
    /// transforming kernels and tiles costs more than the products save (measured with
    /// `keypoints-bench row`). With the kernels already transformed (`kernelsReady`: a layer
    /// in evaluation mode keeps them), 16 tiles pay off: ResNet18 inference on one image
    /// then runs 1.05x (1 thread) to 1.2x (2 threads) faster than with im2col in its last layers.
    static func paysOff(_ g: ConvolutionGeometry, outChannels: Int, kernelsReady: Bool = false) -> Bool {
        let tiles = g.batch * ((g.outputHeight + 1) / 2) * ((g.outputWidth + 1) / 2)
        return g.channels >= 64 && outChannels >= 64 && tiles >= (kernelsReady ? 16 : 64)
    }

    init(_ g: ConvolutionGeometry, outChannels: Int) {
        self.g = g
        self.outChannels = outChannels
        tilesY = (g.outputHeight + 1) / 2
        tilesX = (g.outputWidth + 1) / 2
    }

    /// The convolution whose output is the input gradient of this one: the output gradient
    /// `[N, O, outH, outW]` convolved with the rotated kernels, padded by `2 - padding`.
    var inputGradient: WinogradConvolution {
        let transposed = ConvolutionGeometry(
            input: [g.batch, outChannels, g.outputHeight, g.outputWidth], kernel: (3, 3),
            stride: (1, 1), padding: (2 - g.paddingY, 2 - g.paddingX))
        return WinogradConvolution(transposed, outChannels: g.channels)
    }

    /// Floats of the transformed kernels `U`.
    var transformedWeightCount: Int { 16 * outChannels * g.channels }

    /// Writes `U = G g Gᵀ` for every kernel as 16 matrices `[O, C]`. `weight` is `[O, C, 3, 3]`,
    /// or with `rotatedFrom: true` the forward convolution's `[C, O, 3, 3]`, rotated by 180
    /// degrees and read with its channel axes swapped (the input-gradient convolution).
    func transformWeights(
        _ weight: UnsafePointer<Float>, rotatedFrom: Bool = false, into u: UnsafeMutablePointer<Float>
    ) {
        let o = outChannels, c = g.channels, stride = o * c
        parallelRanges(o, minimumPerThread: Swift.max(1, 16_384 / c)) { range in
            for oc in range {
                // Four kernels (input channels ic..<ic+4) at once, one per SIMD lane.
                for ic in Swift.stride(from: 0, to: c, by: 4) {
                    let lanes = Swift.min(4, c - ic)
                    // The lanes' kernels g[y][x] as k.0...k.8, row-major.
                    var k = (
                        SIMD4<Float>(), SIMD4<Float>(), SIMD4<Float>(), SIMD4<Float>(), SIMD4<Float>(),
                        SIMD4<Float>(), SIMD4<Float>(), SIMD4<Float>(), SIMD4<Float>()
                    )
                    withUnsafeMutableBytes(of: &k) { raw in
                        let values = raw.bindMemory(to: SIMD4<Float>.self)
                        for lane in 0..<lanes {
                            let kernel =
                                rotatedFrom ? weight + ((ic + lane) * o + oc) * 9 : weight + (oc * c + ic + lane) * 9
                            for e in 0..<9 { values[e][lane] = rotatedFrom ? kernel[8 - e] : kernel[e] }
                        }
                    }
                    // t = G g (4x3), column by column; then U = t Gᵀ (4x4), row by row.
                    func columnOfT(
                        _ g0: SIMD4<Float>, _ g1: SIMD4<Float>, _ g2: SIMD4<Float>
                    )
                        -> (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>)
                    {
                        (g0, 0.5 * (g0 + g1 + g2), 0.5 * (g0 - g1 + g2), g2)
                    }
                    let t0 = columnOfT(k.0, k.3, k.6), t1 = columnOfT(k.1, k.4, k.7), t2 = columnOfT(k.2, k.5, k.8)
                    let base = u + oc * c + ic
                    func store(_ value: SIMD4<Float>, _ element: Int) {
                        let target = base + element * stride
                        if lanes == 4 {
                            UnsafeMutableRawPointer(target).storeBytes(of: value, as: SIMD4<Float>.self)
                        } else {
                            for lane in 0..<lanes { target[lane] = value[lane] }
                        }
                    }
                    func storeRow(_ i: Int, _ a: SIMD4<Float>, _ b: SIMD4<Float>, _ d: SIMD4<Float>) {
                        store(a, 4 * i)
                        store(0.5 * (a + b + d), 4 * i + 1)
                        store(0.5 * (a - b + d), 4 * i + 2)
                        store(d, 4 * i + 3)
                    }
                    storeRow(0, t0.0, t1.0, t2.0)
                    storeRow(1, t0.1, t1.1, t2.1)
                    storeRow(2, t0.2, t1.2, t2.2)
                    storeRow(3, t0.3, t1.3, t2.3)
                }
            }
        }
    }

    /// Tile rows per block. A worker with images of its own (`parallel` false) does them block by
    /// block, so that a block's transformed tiles `V` and products `M` (16 values per tile and
    /// channel, about 2 MB) stay in its cache between the transforms and the products instead
    /// of going through memory, which the cores share: ResNet18 trains 10 % faster on two
    /// threads this way (`keypoints-bench row`), no faster on one. Blocks keep at least 128
    /// tiles so that the products stay wide. Work spread over the threads (one image) is done
    /// in one block: every block would cost three more parallel regions.
    func rowsPerBlock(totalRows: Int, parallel: Bool) -> Int {
        if parallel { return totalRows }
        let tiles = Swift.max(128, 524_288 / (16 * (g.channels + outChannels)))
        return Swift.min(totalRows, Swift.max(1, tiles / tilesX))
    }

    /// Calls `body(image, rows, offset)` for the pieces of the block of global tile rows
    /// `rows` (row `r` is tile row `r % tilesY` of image `r / tilesY`): image-local tile rows,
    /// whose first tile is tile `offset` of the block.
    @inline(__always)
    private func forEachPiece(of rows: Range<Int>, _ body: (_ image: Int, _ rows: Range<Int>, _ offset: Int) -> Void) {
        var row = rows.lowerBound
        while row < rows.upperBound {
            let image = row / tilesY, end = Swift.min(rows.upperBound, (image + 1) * tilesY)
            body(image, (row - image * tilesY)..<(end - image * tilesY), (row - rows.lowerBound) * tilesX)
            row = end
        }
    }

    /// Calls `body(rows, tiles, first, v, scratch)` for each block of the images `0..<count`
    /// (see ``rowsPerBlock(totalRows:parallel:)``), with the block's `V` (`[16, C, tiles]`)
    /// already in `v` and room for `[16, O, tiles]` in `scratch`; `first` tells the first block.
    private func forEachBlock(
        input: UnsafePointer<Float>, imageStride: Int, channelStride: Int, count: Int, parallel: Bool,
        _ body: (
            _ rows: Range<Int>, _ tiles: Int, _ first: Bool, _ v: UnsafeMutablePointer<Float>,
            _ scratch: UnsafeMutablePointer<Float>
        ) -> Void
    ) {
        let totalRows = count * tilesY, blockRows = rowsPerBlock(totalRows: totalRows, parallel: parallel)
        withScratchBuffer(count: 16 * g.channels * blockRows * tilesX) { v in
            withScratchBuffer(count: 16 * outChannels * blockRows * tilesX) { scratch in
                for start in Swift.stride(from: 0, to: totalRows, by: blockRows) {
                    let rows = start..<Swift.min(totalRows, start + blockRows)
                    transformInputs(
                        input, imageStride: imageStride, channelStride: channelStride, rows: rows, into: v,
                        parallel: parallel)
                    body(rows, rows.count * tilesX, start == 0, v, scratch)
                }
            }
        }
    }

    /// Computes images `0..<count` of the convolution.
    ///
    /// - `input`: plane `(n, c)` (`g.height x g.width`) starts at `input + n * imageStride + c * channelStride`.
    /// - `u`: the transformed kernels from ``transformWeights(_:rotatedFrom:into:)``.
    /// - `output`: `[count, O, outH, outW]`, overwritten; `bias` and `relu` are applied on the way.
    /// - `parallel`: spread the work over the compute threads (else run on the calling thread).
    func run(
        input: UnsafePointer<Float>, imageStride: Int, channelStride: Int, count: Int, u: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, relu: Bool, parallel: Bool
    ) {
        let c = g.channels, o = outChannels, plane = g.outputHeight * g.outputWidth
        forEachBlock(
            input: input, imageStride: imageStride, channelStride: channelStride, count: count,
            parallel: parallel
        ) { rows, tiles, _, v, m in
            products(parallel) { xi in
                sgemm(m: o, n: tiles, k: c, a: u + xi * o * c, b: v + xi * c * tiles, c: m + xi * o * tiles)
            }
            loop(parallel, o) { channel in
                forEachPiece(of: rows) { n, imageRows, offset in
                    transformOutput(
                        m + channel * tiles + offset, stride: o * tiles, rows: imageRows,
                        into: output + (n * o + channel) * plane, shift: bias?[channel] ?? 0, relu: relu)
                }
            }
        }
    }

    /// Adds the kernel gradient of images `0..<count` in the transformed domain to `gradU`
    /// (`[16, O, C]`, overwritten when `overwrite`): the forward pass is
    /// `Y = Aᵀ (Σ_c U ⊙ V) A` per tile, so `dU[ξ] += dM[ξ] V[ξ]ᵀ` summed over tiles, with
    /// `dM = A dY Aᵀ` (each 2x2 block of the output gradient spread on its 4x4 tile).
    /// ``weightGradient(from:into:)`` then maps `dU` back to the kernels.
    ///
    /// - `input`, `imageStride`, `channelStride`: as in ``run(input:imageStride:channelStride:count:u:output:bias:relu:parallel:)``.
    /// - `gradOutput`: plane `(n, o)` (`outH x outW`) at `gradOutput + n * gradImageStride + o * gradChannelStride`.
    func accumulateWeightGradient(
        input: UnsafePointer<Float>, imageStride: Int, channelStride: Int,
        gradOutput: UnsafePointer<Float>, gradImageStride: Int, gradChannelStride: Int, count: Int,
        into gradU: UnsafeMutablePointer<Float>, overwrite: Bool, parallel: Bool
    ) {
        let c = g.channels, o = outChannels
        forEachBlock(
            input: input, imageStride: imageStride, channelStride: channelStride, count: count,
            parallel: parallel
        ) { rows, tiles, first, v, dm in
            loop(parallel, o) { channel in
                forEachPiece(of: rows) { n, imageRows, offset in
                    transformOutputGradient(
                        gradOutput + n * gradImageStride + channel * gradChannelStride, rows: imageRows,
                        into: dm + channel * tiles + offset, stride: o * tiles)
                }
            }
            products(parallel) { xi in
                sgemm(
                    transposeB: true, m: o, n: c, k: tiles, a: dm + xi * o * tiles, b: v + xi * c * tiles,
                    beta: overwrite && first ? 0 : 1, c: gradU + xi * o * c)
            }
        }
    }

    /// The kernel gradient `[O, C, 3, 3]` from its transformed counterpart `dU` (`[16, O, C]`):
    /// `dg = Gᵀ dU G`, the adjoint of ``transformWeights(_:rotatedFrom:into:)``.
    func weightGradient(from gradU: UnsafePointer<Float>, into gradWeight: UnsafeMutablePointer<Float>) {
        let o = outChannels, c = g.channels, stride = o * c
        /// `Gᵀ x` for a 4-vector: `[x0 + (x1 + x2) / 2, (x1 - x2) / 2, (x1 + x2) / 2 + x3]`.
        @inline(__always) func reduce(_ x0: Float, _ x1: Float, _ x2: Float, _ x3: Float) -> (Float, Float, Float) {
            let half = 0.5 * (x1 + x2)
            return (x0 + half, 0.5 * (x1 - x2), half + x3)
        }
        parallelRanges(o * c, minimumPerThread: 4096) { range in
            for job in range {
                let d = gradU + job
                @inline(__always) func at(_ i: Int, _ k: Int) -> Float { d[(4 * i + k) * stride] }
                // t = Gᵀ dU (3x4), column by column; then dg = t G (3x3), row by row.
                let c0 = reduce(at(0, 0), at(1, 0), at(2, 0), at(3, 0)),
                    c1 = reduce(at(0, 1), at(1, 1), at(2, 1), at(3, 1))
                let c2 = reduce(at(0, 2), at(1, 2), at(2, 2), at(3, 2)),
                    c3 = reduce(at(0, 3), at(1, 3), at(2, 3), at(3, 3))
                let kernel = gradWeight + job * 9
                (kernel[0], kernel[1], kernel[2]) = reduce(c0.0, c1.0, c2.0, c3.0)
                (kernel[3], kernel[4], kernel[5]) = reduce(c0.1, c1.1, c2.1, c3.1)
                (kernel[6], kernel[7], kernel[8]) = reduce(c0.2, c1.2, c2.2, c3.2)
            }
        }
    }

    /// `V` of the block of global tile rows `rows` into `v` (`[16, C, rows.count * tilesX]`).
    private func transformInputs(
        _ input: UnsafePointer<Float>, imageStride: Int, channelStride: Int, rows: Range<Int>,
        into v: UnsafeMutablePointer<Float>, parallel: Bool
    ) {
        let tiles = rows.count * tilesX, c = g.channels
        loop(parallel, c) { channel in
            forEachPiece(of: rows) { n, imageRows, offset in
                transformInput(
                    input + n * imageStride + channel * channelStride, rows: imageRows,
                    into: v + channel * tiles + offset, stride: c * tiles)
            }
        }
    }

    /// `dM = A dY Aᵀ` for the tiles in tile rows `rows` of one output-gradient plane (zero
    /// past its edges); element `ξ` of tile `t` (counted from the first row) goes to
    /// `dm[ξ * stride + t]`. Row by row: each 2-value row of a block becomes
    /// `[a, a + b, a - b, -b]`, then the two rows `p, q` become `p, p + q, p - q, -q`.
    private func transformOutputGradient(
        _ plane: UnsafePointer<Float>, rows: Range<Int>, into dm: UnsafeMutablePointer<Float>,
        stride: Int
    ) {
        let height = g.outputHeight, width = g.outputWidth, tilesX = tilesX
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 10 * tilesX) { scratch in
            // h[r][k]: column transform k (0...3) of block row r (0, 1); then one padded row.
            let h = scratch.baseAddress!, padded = h + 8 * tilesX
            for ty in rows {
                for r in 0..<2 {
                    let y = 2 * ty + r, h0 = h + 4 * r * tilesX, h1 = h0 + tilesX, h2 = h1 + tilesX, h3 = h2 + tilesX
                    guard y < height else {
                        h0.update(repeating: 0, count: 4 * tilesX)
                        continue
                    }
                    padded.update(from: plane + y * width, count: width)
                    if width % 2 == 1 { padded[width] = 0 }
                    for tx in 0..<tilesX {
                        let a = padded[2 * tx], b = padded[2 * tx + 1]
                        h0[tx] = a
                        h1[tx] = a + b
                        h2[tx] = a - b
                        h3[tx] = -b
                    }
                }
                for k in 0..<4 {
                    let p = h + k * tilesX, q = h + (4 + k) * tilesX
                    let out = dm + (ty - rows.lowerBound) * tilesX
                    let d0 = out + k * stride, d1 = out + (4 + k) * stride, d2 = out + (8 + k) * stride,
                        d3 = out + (12 + k) * stride
                    for tx in 0..<tilesX {
                        d0[tx] = p[tx]
                        d1[tx] = p[tx] + q[tx]
                        d2[tx] = p[tx] - q[tx]
                        d3[tx] = -q[tx]
                    }
                }
            }
        }
    }

    /// `V = Bᵀ d B` for the tiles in tile rows `rows` of one input plane; element `ξ` of tile
    /// `t` (counted from the first row) goes to `v[ξ * stride + t]`.
    ///
    /// Separable and done row by row, so the loops run over whole rows of tiles (vectorized,
    /// contiguous stores): each input row is padded, its 4-element windows at even columns
    /// transformed (`d B`, kept in a ring of 4 rows: consecutive tile rows share two input
    /// rows), then 4 rows combined (`Bᵀ (d B)`).
    private func transformInput(
        _ plane: UnsafePointer<Float>, rows: Range<Int>, into v: UnsafeMutablePointer<Float>, stride: Int
    ) {
        let height = g.height, width = g.width, tilesX = tilesX, paddedWidth = 2 * tilesX + 2
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 16 * tilesX + paddedWidth) { scratch in
            let ring = scratch.baseAddress!, padded = ring + 16 * tilesX
            /// `d B` of input row `y` into ring slot `y % 4`: 4 arrays of `tilesX` values.
            func transformRow(_ y: Int) {
                let h = ring + (y & 3) * 4 * tilesX
                guard y >= 0 && y < height else {
                    h.update(repeating: 0, count: 4 * tilesX)
                    return
                }
                let first = Swift.max(0, g.paddingX), last = Swift.min(paddedWidth, width + g.paddingX)
                padded.update(repeating: 0, count: paddedWidth)
                if last > first {
                    (padded + first).update(from: plane + y * width + first - g.paddingX, count: last - first)
                }
                let h0 = h, h1 = h + tilesX, h2 = h + 2 * tilesX, h3 = h + 3 * tilesX
                for tx in 0..<tilesX {
                    let d = padded + 2 * tx
                    h0[tx] = d[0] - d[2]
                    h1[tx] = d[1] + d[2]
                    h2[tx] = d[2] - d[1]
                    h3[tx] = d[1] - d[3]
                }
            }
            for ty in rows {
                let y0 = 2 * ty - g.paddingY
                for r in (ty == rows.lowerBound ? 0 : 2)..<4 { transformRow(y0 + r) }
                let row = { (r: Int) in ring + ((y0 + r) & 3) * 4 * tilesX }
                let r0 = row(0), r1 = row(1), r2 = row(2), r3 = row(3)
                for k in 0..<4 {
                    let a = r0 + k * tilesX, b = r1 + k * tilesX, c = r2 + k * tilesX, d = r3 + k * tilesX
                    let out = v + (ty - rows.lowerBound) * tilesX
                    let v0 = out + k * stride, v1 = out + (4 + k) * stride, v2 = out + (8 + k) * stride,
                        v3 = out + (12 + k) * stride
                    for tx in 0..<tilesX {
                        v0[tx] = a[tx] - c[tx]
                        v1[tx] = b[tx] + c[tx]
                        v2[tx] = c[tx] - b[tx]
                        v3[tx] = b[tx] - d[tx]
                    }
                }
            }
        }
    }

    /// `Y = Aᵀ M A` for the tiles in tile rows `rows` of one output channel of one image, plus
    /// `shift`, then ReLU when asked; element `ξ` of tile `t` (counted from the first row) is
    /// read from `m[ξ * stride + t]`. Row by row as ``transformInput(_:rows:into:stride:)``:
    /// `Aᵀ M` over whole rows of tiles, then `(Aᵀ M) A`.
    private func transformOutput(
        _ m: UnsafePointer<Float>, stride: Int, rows: Range<Int>, into plane: UnsafeMutablePointer<Float>,
        shift: Float, relu: Bool
    ) {
        let height = g.outputHeight, width = g.outputWidth, tilesX = tilesX
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 12 * tilesX) { scratch in
            // a[i][k]: row i (0, 1) of Aᵀ M, column k (0...3); then the even and odd outputs.
            let a = scratch.baseAddress!, even = a + 8 * tilesX, odd = a + 10 * tilesX
            for ty in rows {
                let tiles = m + (ty - rows.lowerBound) * tilesX
                for k in 0..<4 {
                    let m0 = tiles + k * stride, m1 = tiles + (4 + k) * stride
                    let m2 = tiles + (8 + k) * stride, m3 = tiles + (12 + k) * stride
                    let a0 = a + k * tilesX, a1 = a + (4 + k) * tilesX
                    for tx in 0..<tilesX {
                        a0[tx] = m0[tx] + m1[tx] + m2[tx]
                        a1[tx] = m1[tx] - m2[tx] - m3[tx]
                    }
                }
                for i in 0..<2 where 2 * ty + i < height {
                    let c0 = a + (4 * i) * tilesX, c1 = c0 + tilesX, c2 = c1 + tilesX, c3 = c2 + tilesX
                    let e = even + i * tilesX, o = odd + i * tilesX
                    for tx in 0..<tilesX {
                        e[tx] = c0[tx] + c1[tx] + c2[tx] + shift
                        o[tx] = c1[tx] - c2[tx] - c3[tx] + shift
                    }
                    let out = plane + (2 * ty + i) * width
                    for tx in 0..<width / 2 {
                        out[2 * tx] = e[tx]
                        out[2 * tx + 1] = o[tx]
                    }
                    if width % 2 == 1 { out[width - 1] = e[tilesX - 1] }
                    if relu {
                        // `max` would turn NaN into 0; ReLU keeps it, as PyTorch does.
                        for x in 0..<width where out[x] < 0 { out[x] = 0 }
                    }
                }
            }
        }
    }
}

/// Runs the 16 products `body(ξ)` of one layer: over the workers when `parallel` (each
/// product on one thread: one parallel region instead of sixteen split products).
private func products(_ parallel: Bool, _ body: (Int) -> Void) {
    if parallel {
        parallelFor(16, body)
    } else {
        for xi in 0..<16 { body(xi) }
    }
}

/// The transformed kernels `U` of one layer, kept between calls while its weight stays the
/// same: a ``Conv2d`` in evaluation mode keeps one, so that inference skips the transform.
///
/// It holds the weight it transformed. Writing to a weight whose values are shared copies
/// them first (copy on write), so a changed weight never shares storage with the held one,
/// and its kernels are transformed again. Safe to use from several threads at once (one model
/// shared by many tasks): the first caller transforms, the others wait for its kernels.
package final class WinogradKernelCache: Sendable {
    private struct Entry {
        var weight: Tensor?
        var kernels: Tensor?
        var transforms = 0
    }

    private let entry = Locked(Entry())

    package init() {}

    /// How many times kernels were transformed (for tests).
    package var transforms: Int { entry.withLock { $0.transforms } }

    /// `U` of `weight` (`[O, C, 3, 3]`) as ``WinogradConvolution/transformWeights(_:rotatedFrom:into:)``
    /// writes it, `[16, O, C]`.
    func kernels(of weight: Tensor, for winograd: WinogradConvolution) -> Tensor {
        entry.withLock { entry in
            if let kernels = entry.kernels, let held = entry.weight, held.sharesStorage(with: weight),
                held.shape == weight.shape
            {
                return kernels
            }
            var u = Tensor(uninitializedShape: [16, winograd.outChannels, winograd.g.channels])
            winograd.transformWeights(weight.unsafeBaseAddress, into: u.unsafeMutableBaseAddress())
            withExtendedLifetime(weight) {}
            entry.weight = weight.detached()
            entry.kernels = u
            entry.transforms += 1
            return u
        }
    }

    /// Lets go of the kernels and of the weight they came from.
    package func removeAll() {
        entry.withLock {
            $0.weight = nil
            $0.kernels = nil
        }
    }
}
