// swift-tools-version:5.4
// libFuzzer targets for Descent's readers of untrusted input. A package of its own, so that the
// root package (and CI) never builds it; `Fuzz/run.sh` builds and runs it. See Fuzz/README.md.
import PackageDescription

let package = Package(
  name: "DescentFuzz",
  dependencies: [
    .package(name: "Descent", path: "..")
  ],
  targets: [
    // Each target's one file defines `LLVMFuzzerTestOneInput`; libFuzzer provides `main`, so
    // they are built with `-parse-as-library` (see run.sh). Tools version 5.4 on purpose: from
    // 5.5 on, SwiftPM links Linux executables with `--defsym main=<Target>_main` (to make them
    // testable), a symbol that no `-parse-as-library` module defines, so linking would fail.
    .executableTarget(
      name: "FuzzSafetensors",
      dependencies: [.product(name: "Descent", package: "Descent")]
    ),
    .executableTarget(
      name: "FuzzCSV",
      dependencies: [.product(name: "Descent", package: "Descent")]
    ),
  ]
)
