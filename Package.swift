// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "Descent",
  products: [
    .library(name: "Descent", targets: ["Descent"]),
    .library(name: "DescentPlot", targets: ["DescentPlot"]),
    .executable(name: "descent", targets: ["DescentCLI"]),
    .executable(name: "descent-bench", targets: ["DescentBench"]),
    .executable(name: "descent-mpi-tests", targets: ["DescentMPITests"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    // `swift package generate-documentation`: the DocC catalogs of Descent and DescentPlot. A
    // command plugin only: nothing of it is linked into the products.
    .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
  ],
  targets: [
    // Hot loops (GEMM micro-kernels) in C: per-function target attributes and run-time CPU
    // dispatch give AVX-512/AVX2 code without any compiler flag.
    .target(name: "CDescentKernels"),
    // MPI, opened with dlopen when a program asks for a process group: no MPI is needed to build
    // (dlopen is part of glibc since 2.34, so nothing is linked either).
    .target(name: "CDescentMPI"),
    .target(
      name: "Descent",
      dependencies: [
        "CDescentKernels",
        "CDescentMPI",
        .product(name: "RealModule", package: "swift-numerics"),
      ]
    ),
    // SVG figures: line charts, scatter plots, loss surfaces, computation graphs.
    .target(name: "DescentPlot", dependencies: ["Descent"]),
    // The reference experiments of the course notes, as readable programs.
    .target(name: "DescentExamples", dependencies: ["Descent", "DescentPlot"]),
    // The command; its module is not called `descent` so that it never clashes with `Descent`
    // on case-insensitive file systems.
    .executableTarget(
      name: "DescentCLI",
      dependencies: [
        "Descent",
        "DescentExamples",
        "DescentPlot",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // Benchmarks printing the same RESULT lines as shared/bench.
    .executableTarget(name: "DescentBench", dependencies: ["Descent", "CDescentKernels"]),
    // The distributed tests: real processes under an MPI launcher (see .ci/run).
    .executableTarget(name: "DescentMPITests", dependencies: ["Descent"]),
    .testTarget(
      name: "DescentTests", dependencies: ["Descent", "DescentExamples", "CDescentKernels"]),
    .testTarget(name: "DescentPlotTests", dependencies: ["DescentPlot", "Descent"]),
  ]
)
