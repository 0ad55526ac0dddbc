import Foundation

/// One reference experiment of the course notes, runnable from `descent demo NAME` and from
/// the tests, which check the lines it prints.
public protocol Experiment {
  /// Short name used on the command line: `r1`, `r4`, …
  static var name: String { get }
  /// One line saying what the experiment shows.
  static var summary: String { get }
  /// Runs the experiment, handing each printed line to `say`.
  static func run(say: (String) -> Void)
}

/// Every experiment, in the order of REFERENCE.md.
public let allExperiments: [any Experiment.Type] = [
  R1ManualGradientDescent.self,
  R2OptimSGD.self,
  R3TrainingStepByStep.self,
  R4HeightWeight.self,
  R5Momentum.self,
  R7AdamNoisyLine.self,
  R8CustomModule.self,
  R9ScalarDescent.self,
  R10CostCurve.self,
  R10OptimSGD.self,
]

/// The experiment called `name` (case-insensitive), if there is one.
public func experiment(named name: String) -> (any Experiment.Type)? {
  allExperiments.first { $0.name.lowercased() == name.lowercased() }
}

/// Python's `format(value, ".Nf")`: fixed notation with `digits` decimals.
func fixed(_ value: Double, _ digits: Int) -> String {
  String(format: "%.\(digits)f", value)
}

/// Python's `format(value, "Nd")`: an integer right-aligned in `width` columns.
func padded(_ value: Int, _ width: Int) -> String {
  let text = String(value)
  return String(repeating: " ", count: Swift.max(0, width - text.count)) + text
}
