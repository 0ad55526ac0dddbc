import ArgumentParser
import Descent
import Foundation

/// The activation between hidden layers (`--activation`).
enum ActivationChoice: String, CaseIterable, ExpressibleByArgument, Sendable {
  case relu, tanh, sigmoid

  /// PyTorch's class name, as the model file and `torch.nn` spell it.
  var layerType: String {
    switch self {
    case .relu: return "ReLU"
    case .tanh: return "Tanh"
    case .sigmoid: return "Sigmoid"
    }
  }
}

/// The loss to minimise (`--loss`); it also decides the task and the number of outputs.
enum LossChoice: String, CaseIterable, ExpressibleByArgument, Sendable {
  case mse, l1, huber, bce
  case bceLogits = "bce-logits"
  case ce

  /// Classification losses report accuracy; `ce` has one output per class.
  var isClassification: Bool { self == .bce || self == .bceLogits || self == .ce }

  /// The binary losses take targets 0 and 1 and predict the probability of class 1.
  var isBinary: Bool { self == .bce || self == .bceLogits }

  /// The mean loss of `output` against `target` (`[N, 1]` floats, or class indices `[N]` for ce).
  func callAsFunction(_ output: Tensor, _ target: Tensor) -> Tensor {
    switch self {
    case .mse: return mseLoss(output, target)
    case .l1: return l1Loss(output, target)
    case .huber: return huberLoss(output, target)
    case .bce: return binaryCrossEntropy(output, target)
    case .bceLogits: return binaryCrossEntropyWithLogits(output, target)
    case .ce: return crossEntropy(output, target)
    }
  }
}

/// The optimizer (`--optimizer`), with PyTorch's algorithms and defaults.
enum OptimizerChoice: String, CaseIterable, ExpressibleByArgument, Sendable {
  case sgd, adagrad, rmsprop, adam, adamw

  /// Whether `--momentum` means something to this optimizer.
  var takesMomentum: Bool { self == .sgd || self == .rmsprop }

  /// PyTorch's default weight decay: 0.01 for AdamW, 0 for the others.
  var defaultWeightDecay: Double { self == .adamw ? 0.01 : 0 }

  /// The optimizer over `parameters`; the values were checked by `Train.checkOptions()`, so
  /// none of the library's preconditions can fail here.
  func make(
    _ parameters: [Tensor], lr: Double, momentum: Double, nesterov: Bool, weightDecay: Double
  ) -> Optimizer {
    switch self {
    case .sgd:
      return SGD(
        parameters, lr: lr, momentum: momentum, weightDecay: weightDecay, nesterov: nesterov)
    case .adagrad:
      return Adagrad(parameters, lr: lr, weightDecay: weightDecay)
    case .rmsprop:
      return RMSprop(parameters, lr: lr, weightDecay: weightDecay, momentum: momentum)
    case .adam:
      return Adam(parameters, lr: lr, weightDecay: weightDecay)
    case .adamw:
      return AdamW(parameters, lr: lr, weightDecay: weightDecay)
    }
  }
}

/// How the parameters start (`--init`).
enum InitChoice: String, CaseIterable, ExpressibleByArgument, Sendable {
  /// PyTorch's `Linear` initialisation, drawn after `manualSeed(seed)`.
  case `default`
  /// Every weight and bias zero, as the course notes start.
  case zeros
}

/// Parses `--hidden`: comma-separated positive sizes, or nothing for a linear model.
func parseHiddenSizes(_ text: String) throws -> [Int] {
  let trimmed = text.trimmingCharacters(in: .whitespaces)
  if trimmed.isEmpty { return [] }
  return try trimmed.split(separator: ",", omittingEmptySubsequences: false).map { part in
    let field = part.trimmingCharacters(in: .whitespaces)
    guard let size = Int(field), size > 0 else {
      let shown = field.isEmpty ? "an empty size" : "\"\(field)\""
      throw CLIError(
        "--hidden \"\(text)\": \(shown) is not a layer size; give positive whole numbers separated by commas, e.g. --hidden 64,32, or --hidden \"\" for a linear model"
      )
    }
    guard size <= 1 << 20 else {
      throw CLIError(
        "--hidden \"\(text)\": \(size) units is more than the 1048576 a layer may have")
    }
    return size
  }
}
