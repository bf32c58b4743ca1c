// swift-tools-version: 6.0
import PackageDescription

/// A downstream package in Swift 6 language mode: one `FaceLandmarker` shared by the tasks of a
/// task group, as a server's request handlers share it, checked against one call at a time.
let package = Package(
    name: "SharedLandmarker",
    dependencies: [.package(name: "FaceKeypoints", path: "../..")],
    targets: [
        .executableTarget(
            name: "SharedLandmarker", dependencies: [.product(name: "FaceKeypoints", package: "FaceKeypoints")])
    ],
    swiftLanguageModes: [.v6]
)
