import Vision

extension BoundingBox {
    /// The fraction of this box's area that lies inside a `imageWidth x imageHeight` image
    /// (0 for an empty box).
    public func fractionInside(imageWidth: Int, imageHeight: Int) -> Float {
        let w = Swift.min(maxX, Float(imageWidth)) - Swift.max(x, 0)
        let h = Swift.min(maxY, Float(imageHeight)) - Swift.max(y, 0)
        let area = width * height
        guard area > 0, w > 0, h > 0 else { return 0 }
        return w * h / area
    }
}
