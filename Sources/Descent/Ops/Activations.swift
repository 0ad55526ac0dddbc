import RealModule

/// Activation functions beyond `relu`/`sigmoid`/`tanh`: leaky ReLU, ELU and GELU, each beside
/// its backward.
extension Tensor {
  /// Applies a float function, generic over float32/float64, keeping the dtype.
  private func floatElementwise(
    _ op: String, _ body32: (Float) -> Float, _ body64: (Double) -> Double
  ) -> Tensor {
    requireFloat(op)
    return dtype == .float64
      ? mapUnary(self, Double.self, Double.self, body64)
      : mapUnary(self, Float.self, Float.self, body32)
  }

  /// x for x > 0, else `negativeSlope`·x (`leaky_relu`).
  public func leakyRelu(negativeSlope: Double = 0.01) -> Tensor {
    let slope32 = Float(negativeSlope)
    let out = floatElementwise(
      "leaky_relu", { $0 > 0 ? $0 : $0 * slope32 }, { $0 > 0 ? $0 : $0 * negativeSlope })
    let input = SavedTensor(self, op: "LeakyReluBackward0")
    record("LeakyReluBackward0", out, self) { g in
      let x = input.value
      return g
        * x.floatElementwise(
          "leaky_relu", { $0 > 0 ? 1 : slope32 }, { $0 > 0 ? 1 : negativeSlope })
    }
    return out
  }

  /// x for x > 0, else α·(eˣ − 1) (`elu`).
  public func elu(alpha: Double = 1) -> Tensor {
    let alpha32 = Float(alpha)
    let out = floatElementwise(
      "elu", { $0 > 0 ? $0 : alpha32 * Float.expMinusOne($0) },
      { $0 > 0 ? $0 : alpha * Double.expMinusOne($0) })
    let input = SavedTensor(self, op: "EluBackward0")
    record("EluBackward0", out, self) { g in
      g
        * input.value.floatElementwise(
          "elu", { $0 > 0 ? 1 : alpha32 * Float.exp($0) }, { $0 > 0 ? 1 : alpha * Double.exp($0) })
    }
    return out
  }

  /// The Gaussian error linear unit x·Φ(x) (`gelu`); `approximateTanh` uses PyTorch's
  /// `approximate='tanh'` formula.
  public func gelu(approximateTanh: Bool = false) -> Tensor {
    let out = floatElementwise(
      "gelu", { geluValue($0, approximateTanh) }, { geluValue($0, approximateTanh) })
    let input = SavedTensor(self, op: "GeluBackward0")
    record("GeluBackward0", out, self) { g in
      g
        * input.value.floatElementwise(
          "gelu", { geluDerivative($0, approximateTanh) }, { geluDerivative($0, approximateTanh) })
    }
    return out
  }
}

// Written in small typed steps: with Tensor's operator overloads in scope, long mixed
// expressions take the type checker too long.
private func geluValue<T: FloatScalar>(_ x: T, _ approximateTanh: Bool) -> T {
  let half: T = x / 2
  if approximateTanh {
    let cube: T = x * x * x
    let k: T = T.sqrt(2 / T.pi)
    let inner: T = k * (x + 0.044715 * cube)
    return half * (1 + T.tanh(inner))
  }
  let scaled: T = x / T.sqrt(2)
  return half * (1 + T.erf(scaled))
}

private func geluDerivative<T: FloatScalar>(_ x: T, _ approximateTanh: Bool) -> T {
  let square: T = x * x
  if approximateTanh {
    let k: T = T.sqrt(2 / T.pi)
    let inner: T = k * (x + 0.044715 * square * x)
    let t: T = T.tanh(inner)
    let slope: T = k * (1 + 3 * 0.044715 * square)
    let outer: T = (1 + t) / 2
    let chain: T = (x / 2) * (1 - t * t) * slope
    return outer + chain
  }
  let scaled: T = x / T.sqrt(2)
  let cdf: T = (1 + T.erf(scaled)) / 2
  let pdf: T = T.exp(-square / 2) / T.sqrt(2 * T.pi)
  return cdf + x * pdf
}
