/// An RGB color with components in `0...1`, for drawing and plots.
public struct Color: Sendable, Equatable, Hashable {
    /// The red, green and blue components, each in `0...1`.
    public var red: Float, green: Float, blue: Float

    /// A color from components in `0...1`.
    public init(red: Float, green: Float, blue: Float) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// A color from 8-bit components.
    public init(red8: UInt8, green8: UInt8, blue8: UInt8) {
        self.init(red: Float(red8) / 255, green: Float(green8) / 255, blue: Float(blue8) / 255)
    }

    /// The BT.601 luma, used when drawing on gray images.
    public var luma: Float {
        Image.lumaWeights.red * red + Image.lumaWeights.green * green + Image.lumaWeights.blue * blue
    }

    /// Black, `(0, 0, 0)`.
    public static let black = Color(red: 0, green: 0, blue: 0)
    /// White, `(1, 1, 1)`.
    public static let white = Color(red: 1, green: 1, blue: 1)
    /// Mid gray, `(0.5, 0.5, 0.5)`.
    public static let gray = Color(red: 0.5, green: 0.5, blue: 0.5)
    /// Light gray, `(0.85, 0.85, 0.85)`.
    public static let lightGray = Color(red: 0.85, green: 0.85, blue: 0.85)
    /// Pure red, `(1, 0, 0)`.
    public static let red = Color(red: 1, green: 0, blue: 0)
    /// Pure green, `(0, 1, 0)`.
    public static let green = Color(red: 0, green: 1, blue: 0)
    /// Pure blue, `(0, 0, 1)`.
    public static let blue = Color(red: 0, green: 0, blue: 1)
    /// Yellow, `(1, 1, 0)`.
    public static let yellow = Color(red: 1, green: 1, blue: 0)
    /// Cyan, `(0, 1, 1)`.
    public static let cyan = Color(red: 0, green: 1, blue: 1)
    /// Magenta, `(1, 0, 1)`.
    public static let magenta = Color(red: 1, green: 0, blue: 1)

    /// Ground-truth keypoints are drawn in this color.
    public static let groundTruth = Color.green
    /// Predicted keypoints are drawn in this color.
    public static let prediction = Color.red

    /// Distinct colors for plot series (matplotlib's "tab10" palette).
    public static let palette: [Color] = [
        Color(red8: 31, green8: 119, blue8: 180), Color(red8: 255, green8: 127, blue8: 14),
        Color(red8: 44, green8: 160, blue8: 44), Color(red8: 214, green8: 39, blue8: 40),
        Color(red8: 148, green8: 103, blue8: 189), Color(red8: 140, green8: 86, blue8: 75),
        Color(red8: 227, green8: 119, blue8: 194), Color(red8: 127, green8: 127, blue8: 127),
        Color(red8: 188, green8: 189, blue8: 34), Color(red8: 23, green8: 190, blue8: 207)
    ]
}
