import RealModule

// The learning-rate schedules of `torch.optim.lr_scheduler`, each in PyTorch's recursive form
// (the next rate from the group's current one), so that the sequences match PyTorch's to the
// last bit.

/// Multiplies the rate by `gamma` every `stepSize` epochs (`StepLR`).
public final class StepLR: LRScheduler {
  /// Epochs between reductions.
  public let stepSize: Int
  /// The factor of each reduction.
  public let gamma: Double

  /// Multiplies `optimizer`'s rates by `gamma` every `stepSize` epochs.
  public init(_ optimizer: Optimizer, stepSize: Int, gamma: Double = 0.1) {
    if stepSize <= 0 { opFailure("StepLR", "step_size must be positive, got \(stepSize)") }
    self.stepSize = stepSize
    self.gamma = gamma
    super.init(optimizer)
  }

  /// The learning rate of each group for the current epoch, by PyTorch's formula.
  public override func computeLrs() -> [Double] {
    if lastEpoch == 0 || lastEpoch % stepSize != 0 { return currentLrs }
    return currentLrs.map { $0 * gamma }
  }
}

/// Multiplies the rate by `gamma` at each milestone epoch; a milestone listed twice counts
/// twice (`MultiStepLR`).
public final class MultiStepLR: LRScheduler {
  /// The epochs at which the rate drops, sorted.
  public let milestones: [Int]
  /// The factor of each drop.
  public let gamma: Double
  private let counts: [Int: Int]

  /// Multiplies `optimizer`'s rates by `gamma` at each of `milestones`.
  public init(_ optimizer: Optimizer, milestones: [Int], gamma: Double = 0.1) {
    self.milestones = milestones.sorted()
    self.gamma = gamma
    self.counts = Dictionary(milestones.map { ($0, 1) }, uniquingKeysWith: +)
    super.init(optimizer)
  }

  /// The learning rate of each group for the current epoch, by PyTorch's formula.
  public override func computeLrs() -> [Double] {
    guard let count = counts[lastEpoch] else { return currentLrs }
    let factor = Double.pow(gamma, Double(count))
    return currentLrs.map { $0 * factor }
  }
}

/// Multiplies the rate by `gamma` every epoch (`ExponentialLR`).
public final class ExponentialLR: LRScheduler {
  /// The factor applied every epoch.
  public let gamma: Double

  /// Multiplies `optimizer`'s rates by `gamma` every epoch.
  public init(_ optimizer: Optimizer, gamma: Double) {
    self.gamma = gamma
    super.init(optimizer)
  }

  /// The learning rate of each group for the current epoch, by PyTorch's formula.
  public override func computeLrs() -> [Double] {
    isInitial ? currentLrs : currentLrs.map { $0 * gamma }
  }
}

/// Cosine annealing from the base rate to `etaMin` over `tMax` epochs, then back up, and so
/// on (`CosineAnnealingLR`). PyTorch's recursive form: each rate follows from the previous
/// one, so its values differ from the closed form `η_min + (η₀ − η_min)(1 + cos(πt/T))/2`
/// in the last bits, and follow a rate changed by hand.
public final class CosineAnnealingLR: LRScheduler {
  /// Epochs from the base rate down to `etaMin` (half a period).
  public let tMax: Int
  /// The lowest rate.
  public let etaMin: Double

  /// Anneals `optimizer`'s rates from their base to `etaMin` over `tMax` epochs.
  public init(_ optimizer: Optimizer, tMax: Int, etaMin: Double = 0) {
    if tMax <= 0 { opFailure("CosineAnnealingLR", "T_max must be positive, got \(tMax)") }
    self.tMax = tMax
    self.etaMin = etaMin
    super.init(optimizer)
  }

  /// The learning rate of each group for the current epoch, by PyTorch's formula.
  public override func computeLrs() -> [Double] {
    if isInitial { return currentLrs }
    let t = Double(lastEpoch)
    let period = Double(tMax)
    if (lastEpoch - 1 - tMax) % (2 * tMax) == 0 {
      // The bottom of a cycle: the recursion's ratio would divide by zero.
      return zip(currentLrs, baseLrs).map { lr, base in
        lr + (base - etaMin) * (1 - Double.cos(Double.pi / period)) / 2
      }
    }
    let ratio =
      (1 + Double.cos(Double.pi * t / period)) / (1 + Double.cos(Double.pi * (t - 1) / period))
    return currentLrs.map { ratio * ($0 - etaMin) + etaMin }
  }
}

/// Scales the rate linearly from `startFactor` to `endFactor` times the base over
/// `totalIters` epochs, then keeps it (`LinearLR`), e.g. for warm-up.
public final class LinearLR: LRScheduler {
  /// The factor of the base rate at epoch 0, in (0, 1].
  public let startFactor: Double
  /// The factor reached at `totalIters`, in [0, 1].
  public let endFactor: Double
  /// Epochs from `startFactor` to `endFactor`.
  public let totalIters: Int

  /// Scales `optimizer`'s rates from `startFactor` to `endFactor` times their base.
  public init(
    _ optimizer: Optimizer, startFactor: Double = 1.0 / 3, endFactor: Double = 1,
    totalIters: Int = 5
  ) {
    if !(startFactor > 0 && startFactor <= 1) {
      opFailure(
        "LinearLR",
        "Starting multiplicative factor expected to be greater than 0 and less or equal to 1, got \(startFactor)."
      )
    }
    if !(endFactor >= 0 && endFactor <= 1) {
      opFailure(
        "LinearLR", "Ending multiplicative factor expected to be between 0 and 1, got \(endFactor)."
      )
    }
    self.startFactor = startFactor
    self.endFactor = endFactor
    self.totalIters = totalIters
    super.init(optimizer)
  }

  /// The learning rate of each group for the current epoch, by PyTorch's formula.
  public override func computeLrs() -> [Double] {
    if lastEpoch == 0 { return currentLrs.map { $0 * startFactor } }
    if isInitial || lastEpoch > totalIters { return currentLrs }
    let change = endFactor - startFactor
    let factor = 1 + change / (Double(totalIters) * startFactor + Double(lastEpoch - 1) * change)
    return currentLrs.map { $0 * factor }
  }
}

/// Sets the rate to the base rate times `lrLambda(epoch)` (`LambdaLR`).
public final class LambdaLR: LRScheduler {
  private let lambdas: [(Int) -> Double]

  /// One function for every group.
  public init(_ optimizer: Optimizer, lrLambda: @escaping (Int) -> Double) {
    self.lambdas = Array(repeating: lrLambda, count: optimizer.paramGroups.count)
    super.init(optimizer)
  }

  /// One function per group.
  public init(_ optimizer: Optimizer, lrLambdas: [(Int) -> Double]) {
    if lrLambdas.count != optimizer.paramGroups.count {
      opFailure(
        "LambdaLR", "Expected \(optimizer.paramGroups.count) lr_lambdas, but got \(lrLambdas.count)"
      )
    }
    self.lambdas = lrLambdas
    super.init(optimizer)
  }

  /// The learning rate of each group for the current epoch, by PyTorch's formula.
  public override func computeLrs() -> [Double] {
    zip(lambdas, baseLrs).map { lambda, base in base * lambda(lastEpoch) }
  }
}
