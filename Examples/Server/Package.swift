// swift-tools-version: 6.2
import PackageDescription

/// Landmarks over HTTP: a Hummingbird service on FaceKeypoints's public API, its web page, and
/// the tools that check it (a load generator and a headless-browser check). A separate package
/// so that no web framework enters the library.
let package = Package(
    name: "Server",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "keypoints-server", targets: ["KeypointsServer"]),
        .executable(name: "keypoints-load", targets: ["KeypointsLoad"]),
        .executable(name: "browser-check", targets: ["BrowserCheck"])
    ],
    dependencies: [
        .package(name: "FaceKeypoints", path: "../.."),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2")
    ],
    targets: [
        .target(
            name: "LandmarkService",
            dependencies: [
                .product(name: "FaceKeypoints", package: "FaceKeypoints"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log")
            ],
            resources: [.copy("Resources/index.html"), .copy("Resources/openapi.yaml")]),
        .executableTarget(
            name: "KeypointsServer",
            dependencies: [
                "LandmarkService",
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ]),
        .executableTarget(
            name: "KeypointsLoad",
            dependencies: [
                .product(name: "FaceKeypoints", package: "FaceKeypoints"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ]),
        .executableTarget(
            name: "BrowserCheck",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .testTarget(
            name: "LandmarkServiceTests",
            dependencies: [
                "LandmarkService",
                .product(name: "HummingbirdTesting", package: "hummingbird")
            ])
    ],
    swiftLanguageModes: [.v6]
)
