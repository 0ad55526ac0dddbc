import RealModule

/// Elementwise kernels the losses need beyond the public ops (`log1p`, a stable log-sigmoid),
/// written once for float32 and float64. They compute outside the graph: each loss records
/// its own node.

/// A function of an input element and a target element.
protocol LossPairKernel {
  func apply<T: FloatScalar>(_ x: T, _ y: T) -> T
}

/// A function of one element.
protocol LossUnaryKernel {
  func apply<T: FloatScalar>(_ x: T) -> T
}

/// `kernel(a, b)` elementwise; both operands hold the same float dtype.
func lossMap<K: LossPairKernel>(_ a: Tensor, _ b: Tensor, _ kernel: K, op: String) -> Tensor {
  switch a.dtype {
  case .float64: return mapBinary(a, b, Double.self, Double.self, op: op) { kernel.apply($0, $1) }
  default: return mapBinary(a, b, Float.self, Float.self, op: op) { kernel.apply($0, $1) }
  }
}

/// `kernel(a)` elementwise on a float tensor.
func lossMap<K: LossUnaryKernel>(_ a: Tensor, _ kernel: K) -> Tensor {
  switch a.dtype {
  case .float64: return mapUnary(a, Double.self, Double.self) { kernel.apply($0) }
  default: return mapUnary(a, Float.self, Float.self) { kernel.apply($0) }
  }
}

/// log σ(x) = min(x, 0) − log(1 + e^−|x|), PyTorch's `log_sigmoid`: never overflows, and
/// keeps full precision for large |x| where log(sigmoid(x)) would round to 0 or −inf.
struct LogSigmoidKernel: LossUnaryKernel {
  func apply<T: FloatScalar>(_ x: T) -> T {
    Swift.min(x, 0) - T.log(onePlus: T.exp(-Swift.abs(x)))
  }
}

/// The first element of `tensor` outside [0, 1] (NaN included), with its flat index.
func firstOutsideUnitInterval(_ tensor: Tensor) -> (index: Int, value: Double)? {
  for (index, value) in tensor.toDoubles().enumerated() where !(value >= 0 && value <= 1) {
    return (index, value)
  }
  return nil
}
