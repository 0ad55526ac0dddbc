import Foundation

/// `torch.nn.init`: in-place initialisers, with PyTorch's fan and gain computations, so that
/// the same seed gives the same values as PyTorch.

/// Fan-in and fan-out of a weight: `[out, in, kernel…]` as PyTorch counts them.
public func calculateFanInAndFanOut(_ tensor: Tensor) -> (fanIn: Int, fanOut: Int) {
  guard tensor.rank >= 2 else {
    opFailure(
      "init",
      "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (shape \(shapeText(tensor.shape)))"
    )
  }
  let receptive = tensor.shape.dropFirst(2).reduce(1, *)
  return (tensor.shape[1] * receptive, tensor.shape[0] * receptive)
}

/// The nonlinearities `calculateGain` knows.
public enum Nonlinearity: Sendable {
  /// No nonlinearity (gain 1).
  case linear
  /// The logistic sigmoid (gain 1).
  case sigmoid
  /// The hyperbolic tangent (gain 5/3).
  case tanh
  /// The rectifier (gain √2).
  case relu
  /// The leaky rectifier with `negativeSlope` (gain √(2 / (1 + slope²))).
  case leakyRelu(negativeSlope: Double)
  /// SELU (gain 3/4).
  case selu
}

/// The recommended gain for a nonlinearity (`calculate_gain`).
public func calculateGain(_ nonlinearity: Nonlinearity) -> Double {
  switch nonlinearity {
  case .linear, .sigmoid: return 1
  case .tanh: return 5.0 / 3
  case .relu: return 2.0.squareRoot()
  case .leakyRelu(let slope): return (2.0 / (1 + slope * slope)).squareRoot()
  case .selu: return 3.0 / 4
  }
}

/// Which fan Kaiming initialisation preserves.
public enum FanMode: Sendable {
  /// The variance of the forward pass (`fan_in`, the default).
  case fanIn
  /// The variance of the backward pass (`fan_out`).
  case fanOut
}

private func fan(_ tensor: Tensor, _ mode: FanMode) -> Int {
  let fans = calculateFanInAndFanOut(tensor)
  return mode == .fanIn ? fans.fanIn : fans.fanOut
}

/// Fills with U(a, b) (`uniform_`).
@discardableResult
public func uniform_(_ tensor: Tensor, a: Double = 0, b: Double = 1, generator: Generator? = nil)
  -> Tensor
{
  noGrad { tensor.uniform_(a, b, generator: generator) }
}

/// Fills with N(mean, std²) (`normal_`).
@discardableResult
public func normal_(
  _ tensor: Tensor, mean: Double = 0, std: Double = 1, generator: Generator? = nil
)
  -> Tensor
{
  noGrad { tensor.normal_(mean: mean, std: std, generator: generator) }
}

/// Fills with `value` (`constant_`).
@discardableResult
public func constant_(_ tensor: Tensor, _ value: Double) -> Tensor {
  noGrad { tensor.fill_(value) }
}

/// Fills with zeros (`zeros_`).
@discardableResult
public func zeros_(_ tensor: Tensor) -> Tensor { constant_(tensor, 0) }

/// Fills with ones (`ones_`).
@discardableResult
public func ones_(_ tensor: Tensor) -> Tensor { constant_(tensor, 1) }

/// He initialisation from U(−bound, bound), bound = gain·√(3 / fan) (`kaiming_uniform_`);
/// `a` is the negative slope of the leaky ReLU that follows.
@discardableResult
public func kaimingUniform_(
  _ tensor: Tensor, a: Double = 0, mode: FanMode = .fanIn,
  nonlinearity: Nonlinearity = .leakyRelu(negativeSlope: 0), generator: Generator? = nil
) -> Tensor {
  let std = kaimingStd(tensor, a: a, mode: mode, nonlinearity: nonlinearity)
  // The same order of operations as PyTorch, so the bound is the same double.
  let bound = 3.0.squareRoot() * std
  return uniform_(tensor, a: -bound, b: bound, generator: generator)
}

/// He initialisation from N(0, std²), std = gain / √fan (`kaiming_normal_`).
@discardableResult
public func kaimingNormal_(
  _ tensor: Tensor, a: Double = 0, mode: FanMode = .fanIn,
  nonlinearity: Nonlinearity = .leakyRelu(negativeSlope: 0), generator: Generator? = nil
) -> Tensor {
  let std = kaimingStd(tensor, a: a, mode: mode, nonlinearity: nonlinearity)
  return normal_(tensor, mean: 0, std: std, generator: generator)
}

/// He's standard deviation, gain / √fan, computed in PyTorch's order so that it is the same
/// double.
private func kaimingStd(
  _ tensor: Tensor, a: Double, mode: FanMode, nonlinearity: Nonlinearity
) -> Double {
  kaimingGain(nonlinearity, a: a) / Double(fan(tensor, mode)).squareRoot()
}

/// Glorot initialisation from U(−a, a), a = gain·√(6 / (fan_in + fan_out))
/// (`xavier_uniform_`).
@discardableResult
public func xavierUniform_(_ tensor: Tensor, gain: Double = 1, generator: Generator? = nil)
  -> Tensor
{
  let std = xavierStd(tensor, gain: gain)
  let bound = 3.0.squareRoot() * std
  return uniform_(tensor, a: -bound, b: bound, generator: generator)
}

/// Glorot initialisation from N(0, std²), std = gain·√(2 / (fan_in + fan_out))
/// (`xavier_normal_`).
@discardableResult
public func xavierNormal_(_ tensor: Tensor, gain: Double = 1, generator: Generator? = nil) -> Tensor
{
  let std = xavierStd(tensor, gain: gain)
  return normal_(tensor, mean: 0, std: std, generator: generator)
}

/// Glorot's standard deviation, gain·√(2 / (fan_in + fan_out)), in PyTorch's order.
private func xavierStd(_ tensor: Tensor, gain: Double) -> Double {
  let fans = calculateFanInAndFanOut(tensor)
  return gain * (2.0 / Double(fans.fanIn + fans.fanOut)).squareRoot()
}

/// The gain Kaiming initialisation uses: a leaky ReLU takes its slope from `a`, as in PyTorch.
private func kaimingGain(_ nonlinearity: Nonlinearity, a: Double) -> Double {
  if case .leakyRelu = nonlinearity { return calculateGain(.leakyRelu(negativeSlope: a)) }
  return calculateGain(nonlinearity)
}
