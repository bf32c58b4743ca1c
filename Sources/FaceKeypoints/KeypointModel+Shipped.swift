import Foundation

extension KeypointModel {
    /// The file name of the 68-point model that ships with the package (a resource of this target).
    public static let shippedLandmarksFile = "landmarks68.safetensors"

    /// The 68-point iBUG model that ships with the package: PIPNet's heatmap head on ResNet18's
    /// trunk (per-point confidences) on 224x224 crops of 1.4 times the landmarks' box, trained
    /// by `keypoints landmarks --architecture PIPNet-ResNet18` on the 300-W subset and stored in
    /// float16 (provenance, licence and accuracy in its metadata and in Docs/Detection.md). With
    /// the detector it runs twice per face (``estimate(in:face:)``). The 300-W annotations are for
    /// research use only.
    public static func shippedLandmarks() throws -> KeypointModel {
        try KeypointModel(contentsOf: try shippedLandmarksURL(), expecting: .landmarks)
    }

    /// Where the shipped 68-point model file is (inside the package's resource bundle).
    public static func shippedLandmarksURL() throws -> URL {
        let (url, places) = PackageResource.url(
            named: shippedLandmarksFile, package: "FaceKeypoints", target: "FaceKeypoints",
            sourceFolder: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "Resources"))
        guard let url else {
            throw KeypointInputError(
                "the shipped model \(shippedLandmarksFile) is not in \(places.joined(separator: ", ")); copy the resource "
                    + "bundle FaceKeypoints_FaceKeypoints.resources from the build folder next to the executable, or give a model file"
            )
        }
        return url
    }
}
