// swift-tools-version: 6.0
import PackageDescription

/// A downstream package: it depends on FaceKeypoints by path, defines two new layers (one
/// from existing operations, one with its own backward pass) and trains a model with them.
let package = Package(
    name: "CustomLayer",
    dependencies: [.package(name: "FaceKeypoints", path: "../..")],
    targets: [
        .executableTarget(
            name: "CustomLayer", dependencies: [.product(name: "FaceKeypoints", package: "FaceKeypoints")])
    ],
    swiftLanguageModes: [.v6]
)
