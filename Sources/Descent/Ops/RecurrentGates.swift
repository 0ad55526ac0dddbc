import CDescentKernels
import RealModule

/// The per-step gate math of the recurrent layers, fused: one pass over a step's `[batch, gates
/// × hidden]` pre-activations computes the activations, the new cell and hidden states (and,
/// going back, every gate's gradient) without any temporary tensor. Gate order is PyTorch's:
/// i, f, g, o for LSTM and r, z, n for GRU.

/// The recurrence a layer runs.
enum RecurrentMode: Sendable, Equatable {
  case rnnTanh, rnnRelu, lstm, gru

  /// Blocks of `hidden` rows in `weight_ih` / `weight_hh`.
  var gateCount: Int {
    switch self {
    case .rnnTanh, .rnnRelu: return 1
    case .lstm: return 4
    case .gru: return 3
    }
  }

  /// The name of the node the layer records.
  var nodeName: String {
    switch self {
    case .rnnTanh: return "RnnTanhLayerBackward0"
    case .rnnRelu: return "RnnReluLayerBackward0"
    case .lstm: return "LstmLayerBackward0"
    case .gru: return "GruLayerBackward0"
    }
  }
}

@inline(__always) func logistic<T: FloatScalar>(_ x: T) -> T { 1 / (1 + T.exp(-x)) }

/// `c = alpha·op(a)·op(b) + beta·c` on row-major matrices with leading dimensions, in the
/// kernels' GEMM for `T` (float32 or float64).
@inline(__always)
func gemm<T: FloatScalar>(
  transA: Bool = false, transB: Bool = false, _ m: Int, _ n: Int, _ k: Int,
  alpha: T = 1, _ a: UnsafePointer<T>, _ lda: Int, _ b: UnsafePointer<T>, _ ldb: Int,
  beta: T, _ c: UnsafeMutablePointer<T>, _ ldc: Int
) {
  if T.self == Float.self {
    descent_sgemm(
      transA ? 1 : 0, transB ? 1 : 0, m, n, k, unsafeBitCast(alpha, to: Float.self),
      UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), lda,
      UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), ldb,
      unsafeBitCast(beta, to: Float.self),
      UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), ldc)
  } else {
    descent_dgemm(
      transA ? 1 : 0, transB ? 1 : 0, m, n, k, unsafeBitCast(alpha, to: Double.self),
      UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), lda,
      UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), ldb,
      unsafeBitCast(beta, to: Double.self),
      UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), ldc)
  }
}

/// One time step's buffers: `rows` batch rows of `hidden` units.
struct StepPointers<T: FloatScalar> {
  let rows: Int
  let hidden: Int
  /// `[rows, gates × hidden]`: pre-activations in, activations out (forward); their gradients
  /// (backward).
  let gates: UnsafeMutablePointer<T>
  /// GRU only: `[rows, 3 × hidden]`, W_hh·h + b_hh (forward); its gradient (backward).
  let recurrent: UnsafeMutablePointer<T>?
  /// `[rows, hidden]` states before and after the step.
  let hiddenBefore: UnsafeMutablePointer<T>
  let hiddenAfter: UnsafeMutablePointer<T>
  /// LSTM only: the cell states before and after the step.
  let cellBefore: UnsafeMutablePointer<T>?
  let cellAfter: UnsafeMutablePointer<T>?
}

/// Forward: activations in place of the pre-activations, then the new states.
@inline(__always)
func applyGates<T: FloatScalar>(_ mode: RecurrentMode, _ p: StepPointers<T>) {
  let h = p.hidden
  switch mode {
  case .lstm:
    for row in 0..<p.rows {
      let gate = p.gates + row * 4 * h
      let (cBefore, cAfter) = (p.cellBefore! + row * h, p.cellAfter! + row * h)
      let hAfter = p.hiddenAfter + row * h
      for j in 0..<h {
        let i = logistic(gate[j])
        let f = logistic(gate[h + j])
        let g = T.tanh(gate[2 * h + j])
        let o = logistic(gate[3 * h + j])
        (gate[j], gate[h + j], gate[2 * h + j], gate[3 * h + j]) = (i, f, g, o)
        let c = f * cBefore[j] + i * g
        cAfter[j] = c
        hAfter[j] = o * T.tanh(c)
      }
    }
  case .gru:
    for row in 0..<p.rows {
      let gate = p.gates + row * 3 * h
      let recurrent = p.recurrent! + row * 3 * h
      let (hBefore, hAfter) = (p.hiddenBefore + row * h, p.hiddenAfter + row * h)
      for j in 0..<h {
        let r = logistic(gate[j] + recurrent[j])
        let z = logistic(gate[h + j] + recurrent[h + j])
        let n = T.tanh(gate[2 * h + j] + r * recurrent[2 * h + j])
        (gate[j], gate[h + j], gate[2 * h + j]) = (r, z, n)
        // PyTorch's order: n + z·(h − n).
        hAfter[j] = n + z * (hBefore[j] - n)
      }
    }
  case .rnnTanh, .rnnRelu:
    let relu = mode == .rnnRelu
    for index in 0..<(p.rows * h) {
      let x = p.gates[index]
      p.hiddenAfter[index] = relu ? (x > 0 ? x : 0) : T.tanh(x)
    }
  }
}

/// Backward through one step. In: `dHidden` (the gradient reaching the state after the step,
/// the output's included), `dCell` (LSTM), the forward's activations in `forward`. Out: the
/// gate gradients into `grads.gates` (and `grads.recurrent` for GRU), `dCell` replaced by the
/// gradient of the cell before the step; for GRU `dHidden` is replaced by the direct part
/// z·dh of the gradient of the state before the step (the GEMM through W_hh adds the rest).
@inline(__always)
func gateGradients<T: FloatScalar>(
  _ mode: RecurrentMode, forward p: StepPointers<T>, grads: StepPointers<T>,
  dHidden: UnsafeMutablePointer<T>, dCell: UnsafeMutablePointer<T>?
) {
  let h = p.hidden
  switch mode {
  case .lstm:
    for row in 0..<p.rows {
      let gate = p.gates + row * 4 * h
      let dGate = grads.gates + row * 4 * h
      let (cBefore, cAfter) = (p.cellBefore! + row * h, p.cellAfter! + row * h)
      let (dh, dc) = (dHidden + row * h, dCell! + row * h)
      for j in 0..<h {
        let (i, f, g, o) = (gate[j], gate[h + j], gate[2 * h + j], gate[3 * h + j])
        let tc = T.tanh(cAfter[j])
        let c = dc[j] + dh[j] * o * (1 - tc * tc)
        dGate[j] = c * g * i * (1 - i)
        dGate[h + j] = c * cBefore[j] * f * (1 - f)
        dGate[2 * h + j] = c * i * (1 - g * g)
        dGate[3 * h + j] = dh[j] * tc * o * (1 - o)
        dc[j] = c * f
      }
    }
  case .gru:
    for row in 0..<p.rows {
      let gate = p.gates + row * 3 * h
      let recurrent = p.recurrent! + row * 3 * h
      let (dGate, dRecurrent) = (grads.gates + row * 3 * h, grads.recurrent! + row * 3 * h)
      let hBefore = p.hiddenBefore + row * h
      let dh = dHidden + row * h
      for j in 0..<h {
        let (r, z, n) = (gate[j], gate[h + j], gate[2 * h + j])
        let d = dh[j]
        let dn = d * (1 - z) * (1 - n * n)
        let dz = d * (hBefore[j] - n) * z * (1 - z)
        let dr = dn * recurrent[2 * h + j] * r * (1 - r)
        (dGate[j], dGate[h + j], dGate[2 * h + j]) = (dr, dz, dn)
        (dRecurrent[j], dRecurrent[h + j], dRecurrent[2 * h + j]) = (dr, dz, dn * r)
        dh[j] = d * z
      }
    }
  case .rnnTanh, .rnnRelu:
    let relu = mode == .rnnRelu
    for index in 0..<(p.rows * h) {
      let y = p.hiddenAfter[index]
      grads.gates[index] = dHidden[index] * (relu ? (y > 0 ? 1 : 0) : 1 - y * y)
    }
  }
}
