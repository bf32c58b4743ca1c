// swift-tools-version: 6.0
import PackageDescription

/// FaceKeypoints: facial keypoint detection with neural networks, trained and run on the CPU.
///
/// Dependencies flow one way: system libraries -> Tensor -> TensorIO -> {NN, Optim, Vision} -> {FaceData, FaceDetection}
/// -> FaceKeypoints (umbrella) -> Examples; Distributed (Open MPI) needs only Tensor, and only the executable uses it.
let package = Package(
    name: "FaceKeypoints",
    products: [
        .executable(name: "keypoints", targets: ["Keypoints"]),
        .library(name: "Tensor", targets: ["Tensor"]),
        .library(name: "TensorIO", targets: ["TensorIO"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "Optim", targets: ["Optim"]),
        .library(name: "Vision", targets: ["Vision"]),
        .library(name: "FaceData", targets: ["FaceData"]),
        .library(name: "FaceDetection", targets: ["FaceDetection"]),
        .library(name: "Distributed", targets: ["Distributed"]),
        .library(name: "FaceKeypoints", targets: ["FaceKeypoints"]),
        .executable(name: "keypoints-bench", targets: ["Bench"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation`: the DocC catalogs of the library targets.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0")
    ],
    targets: [
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),

        // Matrix kernels BLAS has no fast path for, compiled for AVX-512 and chosen at run time.
        .target(name: "CKernels"),
        .target(name: "Tensor", dependencies: ["CBLAS", "CKernels"]),
        // Weight files (safetensors) and atomic writes, for every target that saves tensors.
        .target(name: "TensorIO", dependencies: ["Tensor"]),
        .target(name: "NN", dependencies: ["Tensor", "TensorIO"]),
        .target(name: "Optim", dependencies: ["Tensor"]),
        // libjpeg and libpng report errors by longjmp; this C target holds the setjmp.
        .target(
            name: "CImageShims", dependencies: ["CPNG", "CJPEG"],
            linkerSettings: [.linkedLibrary("jpeg"), .linkedLibrary("png16")]),
        .target(name: "Vision", dependencies: ["Tensor", "TensorIO", "CImageShims"]),
        .target(name: "FaceData", dependencies: ["Tensor", "TensorIO", "Vision"]),
        // The MTCNN face detector (facenet-pytorch's networks, their trained weights as a resource):
        // pyramid, non-maximum suppression, the three-stage pipeline.
        .target(
            name: "FaceDetection", dependencies: ["Tensor", "TensorIO", "NN", "Vision"],
            resources: [.copy("Resources/mtcnn.safetensors")]),
        // Open MPI's communicator and datatype handles are macros over globals Swift cannot import;
        // this C target names them in plain functions (init, rank, broadcast, all-reduce, abort).
        .target(name: "CMPIShims", dependencies: ["CMPI"]),
        // Data-parallel training over MPI: MPIProcessGroup, a ProcessGroup (Tensor) of mpirun's ranks.
        .target(name: "Distributed", dependencies: ["Tensor", "CMPIShims"]),
        // The umbrella: tasks, training, evaluation, and the shipped 68-point model as a resource.
        .target(
            name: "FaceKeypoints",
            dependencies: ["Tensor", "TensorIO", "NN", "Optim", "Vision", "FaceData", "FaceDetection"],
            resources: [.copy("Resources/landmarks68.safetensors")]),

        .executableTarget(
            name: "Keypoints",
            dependencies: [
                "FaceKeypoints", "Distributed", .product(name: "ArgumentParser", package: "swift-argument-parser")
            ],
            path: "Examples/Keypoints"),
        .executableTarget(
            name: "Bench",
            dependencies: [
                "Tensor", "TensorIO", "NN", "Optim", "Vision", "FaceData", "FaceDetection", "FaceKeypoints",
                "Distributed", "CBLAS"
            ], path: "Benchmarks/Bench"),

        .target(name: "TestSupport", dependencies: ["Tensor", "TensorIO"], path: "Tests/TestSupport"),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "TestSupport"]),
        .testTarget(name: "TensorIOTests", dependencies: ["TensorIO", "TestSupport"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "TensorIO", "TestSupport"]),
        .testTarget(name: "OptimTests", dependencies: ["Optim", "NN", "TestSupport"]),
        .testTarget(name: "VisionTests", dependencies: ["Vision", "TestSupport"]),
        .testTarget(name: "FaceDataTests", dependencies: ["FaceData", "TestSupport"]),
        .testTarget(
            name: "FaceDetectionTests", dependencies: ["FaceDetection", "Tensor", "TensorIO", "NN", "TestSupport"]),
        .testTarget(name: "FuzzTests", dependencies: ["Vision", "FaceData", "TensorIO", "NN", "TestSupport"]),
        .testTarget(name: "FaceKeypointsTests", dependencies: ["FaceKeypoints", "Keypoints", "TestSupport"]),
        // Runs `mpirun -np 2 keypoints ... --distributed`; CI runs it as its own step.
        .testTarget(name: "DistributedTests", dependencies: ["Tensor", "TensorIO", "Keypoints", "TestSupport"])
    ],
    swiftLanguageModes: [.v6]
)
