// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "Descent",
  products: [
    .library(name: "Descent", targets: ["Descent"]),
    .executable(name: "descent", targets: ["descent"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
  ],
  targets: [
    // Hot loops (GEMM micro-kernels) in C: per-function target attributes and run-time CPU
    // dispatch give AVX-512/AVX2 code without any compiler flag.
    .target(name: "CDescentKernels"),
    .target(
      name: "Descent",
      dependencies: [
        "CDescentKernels",
        .product(name: "RealModule", package: "swift-numerics"),
      ]
    ),
    .executableTarget(
      name: "descent",
      dependencies: [
        "Descent",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(name: "DescentTests", dependencies: ["Descent", "CDescentKernels"]),
  ]
)
