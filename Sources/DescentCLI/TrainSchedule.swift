import ArgumentParser
import Descent
import Foundation

/// The learning-rate schedule (`--scheduler`), PyTorch's schedulers stepped once per epoch.
enum SchedulerChoice: String, CaseIterable, ExpressibleByArgument, Sendable {
  /// `StepLR(step_size, gamma)`: the rate times gamma every step_size epochs.
  case step
  /// `CosineAnnealingLR(T_max, eta_min)`: half a cosine from the rate down to eta_min.
  case cosine
  /// `ReduceLROnPlateau(factor, patience)`: the rate times factor when the loss stalls.
  case plateau
}

/// `--scheduler` and its options.
struct SchedulerOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "Change the learning rate after every epoch: step (StepLR), cosine (CosineAnnealingLR) or plateau (ReduceLROnPlateau, on the validation loss when there is one, else the training loss).",
      valueName: "schedule"))
  var scheduler: SchedulerChoice?

  @Option(
    name: .customLong("step-size"), parsing: .unconditional,
    help: ArgumentHelp("step: epochs between reductions (needed with step).", valueName: "n"))
  var stepSize: Int?

  @Option(
    name: .long, parsing: .unconditional,
    help: ArgumentHelp("step: the factor of each reduction (default: 0.1).", valueName: "factor"))
  var gamma: Double?

  @Option(
    name: .customLong("t-max"), parsing: .unconditional,
    help: ArgumentHelp("cosine: epochs of the half cosine (default: --epochs).", valueName: "n"))
  var tMax: Int?

  @Option(
    name: .customLong("eta-min"), parsing: .unconditional,
    help: ArgumentHelp("cosine: the lowest learning rate (default: 0).", valueName: "rate"))
  var etaMin: Double?

  @Option(
    name: .long, parsing: .unconditional,
    help: ArgumentHelp(
      "plateau: the factor of each reduction (default: 0.1).", valueName: "factor"))
  var factor: Double?

  @Option(
    name: .long, parsing: .unconditional,
    help: ArgumentHelp(
      "plateau: epochs without improvement before a reduction (default: 10).", valueName: "n"))
  var patience: Int?

  /// Throws what argument-parser cannot check: one line naming the option.
  func check() throws {
    let owners: [(String, Bool, SchedulerChoice)] = [
      ("--step-size", stepSize != nil, .step), ("--gamma", gamma != nil, .step),
      ("--t-max", tMax != nil, .cosine), ("--eta-min", etaMin != nil, .cosine),
      ("--factor", factor != nil, .plateau), ("--patience", patience != nil, .plateau),
    ]
    for (option, given, owner) in owners where given && scheduler != owner {
      throw CLIError(
        "\(option) applies to --scheduler \(owner.rawValue)\(scheduler.map { ", not \($0.rawValue)" } ?? "")"
      )
    }
    switch scheduler {
    case .step:
      guard let stepSize else {
        throw CLIError("--scheduler step needs --step-size N, the epochs between reductions")
      }
      guard stepSize >= 1 else {
        throw CLIError("--step-size \(stepSize): reduce at most every 1 epoch")
      }
      if let gamma, !(gamma.isFinite && gamma > 0) {
        throw CLIError("--gamma \(gamma): the factor must be a positive number, e.g. 0.5")
      }
    case .cosine:
      if let tMax, tMax < 1 { throw CLIError("--t-max \(tMax): the cosine lasts at least 1 epoch") }
      if let etaMin, !(etaMin.isFinite && etaMin >= 0) {
        throw CLIError("--eta-min \(etaMin): the lowest learning rate must be 0 or more")
      }
    case .plateau:
      if let factor, !(factor > 0 && factor < 1) {
        throw CLIError("--factor \(factor): the factor must lie between 0 and 1, e.g. 0.5")
      }
      if let patience, patience < 0 {
        throw CLIError("--patience \(patience): the patience must be 0 or more")
      }
    case nil:
      break
    }
  }

  /// The scheduler over `optimizer`; made before a checkpoint restores the optimizer, as in
  /// PyTorch, so that its base rates are the initial ones.
  func make(_ optimizer: Optimizer, epochs: Int) -> (any CheckpointableScheduler)? {
    switch scheduler {
    case .step: return StepLR(optimizer, stepSize: stepSize!, gamma: gamma ?? 0.1)
    case .cosine: return CosineAnnealingLR(optimizer, tMax: tMax ?? epochs, etaMin: etaMin ?? 0)
    case .plateau:
      return ReduceLROnPlateau(optimizer, factor: factor ?? 0.1, patience: patience ?? 10)
    case nil: return nil
    }
  }

  /// The settings kept in summary.json and checked on --resume.
  func settings(epochs: Int) -> [(String, String)] {
    switch scheduler {
    case .step:
      return [
        ("scheduler", jsonString("step")), ("step_size", String(stepSize!)),
        ("gamma", number(gamma ?? 0.1)),
      ]
    case .cosine:
      return [
        ("scheduler", jsonString("cosine")), ("t_max", String(tMax ?? epochs)),
        ("eta_min", number(etaMin ?? 0)),
      ]
    case .plateau:
      return [
        ("scheduler", jsonString("plateau")), ("factor", number(factor ?? 0.1)),
        ("patience", String(patience ?? 10)),
      ]
    case nil: return []
    }
  }
}

/// Steps `scheduler` at the end of an epoch: the plateau on `metric`, the others by count.
func stepScheduler(_ scheduler: (any CheckpointableScheduler)?, metric: Double) {
  switch scheduler {
  case let plateau as ReduceLROnPlateau: plateau.step(metric)
  case let scheduler as LRScheduler: scheduler.step()
  default: break
  }
}
