import Foundation
import TensorIO
import Vision

/// A part (landmark) of an imglab box: a name and a 0-based integer pixel index, as dlib
/// writes it.
public struct ImglabPart: Sendable, Equatable {
    /// The part's `name` attribute (dlib writes the point index, `00`, `01`, ...).
    public var name: String
    /// The 0-based pixel column (`-1`, with `y` `-1`, for an absent point).
    public var x: Int
    /// The 0-based pixel row (`-1`, with `x` `-1`, for an absent point).
    public var y: Int
    /// A part named `name` at the 0-based pixel (`x`, `y`).
    public init(name: String, x: Int, y: Int) {
        self.name = name
        self.x = x
        self.y = y
    }

    /// Whether the part is dlib's "not present" marker, `x='-1' y='-1'`: the point is absent
    /// (``Point/absent``), never a point at the photo's corner.
    public var isAbsent: Bool { x == -1 && y == -1 }

    /// The package convention: the center of pixel `(x, y)`, i.e. `(x + 0.5, y + 0.5)`;
    /// ``Point/absent`` (NaN) for an ``isAbsent`` part.
    public var point: SIMD2<Float> { isAbsent ? .absent : SIMD2(Float(x) + 0.5, Float(y) + 0.5) }
}
