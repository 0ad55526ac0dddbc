/// The fused passes of a recurrent layer over a whole sequence (one direction).
///
/// Forward: the input projection of every time step is one GEMM (`[T·B, I] × [I, G·H]`, the
/// biases already in the output rows); then each step adds h·W_hhᵀ into its slice of that
/// buffer with one GEMM (beta 1) and runs the fused gate kernel, writing the new states into
/// preallocated sequence buffers: a step allocates nothing.
///
/// Backward: the steps run in reverse, each a gate-gradient kernel and one GEMM through W_hh
/// into a reused state-gradient buffer; then the input gradient, both weight gradients and the
/// bias gradients are one GEMM or one reduction each over the whole sequence.

/// What the forward pass keeps for backward; time-major buffers.
struct RecurrentTape {
  let mode: RecurrentMode
  let steps: Int
  let batch: Int
  let hidden: Int
  let reverse: Bool
  /// `[T, B, G·H]`: the gates' activations (GRU: r, z, n).
  let gates: Tensor
  /// `[T + 1, B, H]`: every hidden state, the initial one included (first slot, or last when
  /// reversed).
  let states: Tensor
  /// LSTM: `[T + 1, B, H]`, the cell states laid out as `states`.
  let cells: Tensor?
  /// GRU: `[T, B, 3H]`, W_hh·h + b_hh of each step.
  let recurrent: Tensor?

  /// The slot of the state a step reads, and of the state it writes.
  @inline(__always) func slotBefore(_ t: Int) -> Int { reverse ? t + 1 : t }
  @inline(__always) func slotAfter(_ t: Int) -> Int { reverse ? t : t + 1 }

  /// The layer's output `[T, B, H]`: the states the steps wrote, in time order (a view).
  var output: Tensor {
    states.aliasing(
      shape: [steps, batch, hidden], strides: [batch * hidden, hidden, 1],
      offset: reverse ? 0 : batch * hidden)
  }

  /// The state after the last step (a view), and the cell state for LSTM.
  var lastState: Tensor { slot(states, reverse ? 0 : steps) }
  var lastCell: Tensor? { cells.map { slot($0, reverse ? 0 : steps) } }

  private func slot(_ buffer: Tensor, _ index: Int) -> Tensor {
    buffer.aliasing(shape: [batch, hidden], strides: [hidden, 1], offset: index * batch * hidden)
  }

  /// The buffers of step `t` as the gate kernels see them.
  func pointers<T: FloatScalar>(_ t: Int, _: T.Type) -> StepPointers<T> {
    let stride = batch * hidden
    let width = mode.gateCount * hidden
    return StepPointers(
      rows: batch, hidden: hidden, gates: gates.pointer(T.self) + t * batch * width,
      recurrent: recurrent.map { $0.pointer(T.self) + t * batch * 3 * hidden },
      hiddenBefore: states.pointer(T.self) + slotBefore(t) * stride,
      hiddenAfter: states.pointer(T.self) + slotAfter(t) * stride,
      cellBefore: cells.map { $0.pointer(T.self) + slotBefore(t) * stride },
      cellAfter: cells.map { $0.pointer(T.self) + slotAfter(t) * stride })
  }
}

/// The dense operands of a layer: input `[T, B, I]`, states `[B, H]`, PyTorch's weights.
struct RecurrentOperands {
  let mode: RecurrentMode
  let input: Tensor
  let h0: Tensor
  let c0: Tensor?
  let wIH: Tensor
  let wHH: Tensor
  let bIH: Tensor?
  let bHH: Tensor?
  let reverse: Bool

  var steps: Int { input.shape[0] }
  var batch: Int { input.shape[1] }
  var inputSize: Int { input.shape[2] }
  var hidden: Int { wHH.shape[1] }
}

/// Fills every `width`-wide row of `buffer` (`rows` rows) with `a + b` (either may be nil).
private func fillRows<T: FloatScalar>(
  _ buffer: UnsafeMutablePointer<T>, rows: Int, width: Int, _ a: Tensor?, _ b: Tensor?
) {
  let pa = a?.pointer(T.self)
  let pb = b?.pointer(T.self)
  for j in 0..<width {
    buffer[j] = (pa?[j] ?? 0) + (pb?[j] ?? 0)
  }
  for row in 1..<Swift.max(rows, 1) { (buffer + row * width).update(from: buffer, count: width) }
}

struct RecurrentForwardPass: FloatRoutine {
  let operands: RecurrentOperands

  func run<T: FloatScalar>(_: T.Type) -> RecurrentTape {
    let o = operands
    let (steps, batch, hidden) = (o.steps, o.batch, o.hidden)
    let width = o.mode.gateCount * hidden
    let dtype = T.dtype
    let gates = Tensor(uninitializedShape: [steps, batch, width], dtype: dtype)
    let g = gates.pointer(T.self)
    // Biases first, then the whole sequence's input projection added by one GEMM.
    let hasBias = o.bIH != nil || (o.mode != .gru && o.bHH != nil)
    if hasBias {
      fillRows(g, rows: steps * batch, width: width, o.bIH, o.mode == .gru ? nil : o.bHH)
    }
    gemm(
      transB: true, steps * batch, width, o.inputSize, o.input.pointer(T.self), o.inputSize,
      o.wIH.pointer(T.self), o.inputSize, beta: hasBias ? 1 : 0, g, width)
    let states = Tensor(uninitializedShape: [steps + 1, batch, hidden], dtype: dtype)
    let cells =
      o.mode == .lstm ? Tensor(uninitializedShape: [steps + 1, batch, hidden], dtype: dtype) : nil
    let recurrent =
      o.mode == .gru ? Tensor(uninitializedShape: [steps, batch, 3 * hidden], dtype: dtype) : nil
    let first = (o.reverse ? steps : 0) * batch * hidden
    (states.pointer(T.self) + first).update(from: o.h0.pointer(T.self), count: batch * hidden)
    if let cells, let c0 = o.c0 {
      (cells.pointer(T.self) + first).update(from: c0.pointer(T.self), count: batch * hidden)
    }
    if let recurrent, let bHH = o.bHH {
      fillRows(recurrent.pointer(T.self), rows: steps * batch, width: width, bHH, nil)
    }
    let tape = RecurrentTape(
      mode: o.mode, steps: steps, batch: batch, hidden: hidden, reverse: o.reverse, gates: gates,
      states: states, cells: cells, recurrent: recurrent)
    let wHH = o.wHH.pointer(T.self)
    for s in 0..<steps {
      let p = tape.pointers(o.reverse ? steps - 1 - s : s, T.self)
      if let target = p.recurrent {
        gemm(
          transB: true, batch, width, hidden, p.hiddenBefore, hidden, wHH, hidden,
          beta: o.bHH == nil ? 0 : 1, target, width)
      } else {
        gemm(
          transB: true, batch, width, hidden, p.hiddenBefore, hidden, wHH, hidden, beta: 1,
          p.gates, width)
      }
      applyGates(o.mode, p)
    }
    return tape
  }
}

/// The gradients of a layer's inputs, in the order of `RecurrentOperands` (nil where none is
/// needed).
struct RecurrentGradients {
  var input: Tensor?
  var h0: Tensor?
  var c0: Tensor?
  var wIH: Tensor?
  var wHH: Tensor?
  var bIH: Tensor?
  var bHH: Tensor?
}

struct RecurrentBackwardPass: FloatRoutine {
  let operands: RecurrentOperands
  let tape: RecurrentTape
  /// Dense gradients of the output `[T, B, H]`, of the last state and of the last cell.
  let gradOutput: Tensor
  let gradState: Tensor
  let gradCell: Tensor?
  /// Which gradients to compute: input, h0, c0, wIH, wHH, bIH, bHH.
  let needs: [Bool]

  func run<T: FloatScalar>(_: T.Type) -> RecurrentGradients {
    let o = operands
    let (steps, batch, hidden) = (o.steps, o.batch, o.hidden)
    let width = o.mode.gateCount * hidden
    let dtype = T.dtype
    let stateCount = batch * hidden
    let dGates = Tensor(uninitializedShape: [steps, batch, width], dtype: dtype)
    let dRecurrent =
      o.mode == .gru ? Tensor(uninitializedShape: [steps, batch, 3 * hidden], dtype: dtype) : nil
    let dState = gradState.copyData()
    let dCell = gradCell?.copyData()
    let (dh, dc) = (dState.pointer(T.self), dCell?.pointer(T.self))
    let wHH = o.wHH.pointer(T.self)
    let dOut = gradOutput.pointer(T.self)
    for s in 0..<steps {
      let t = o.reverse ? s : steps - 1 - s
      let forward = tape.pointers(t, T.self)
      let grads = StepPointers(
        rows: batch, hidden: hidden, gates: dGates.pointer(T.self) + t * batch * width,
        recurrent: dRecurrent.map { $0.pointer(T.self) + t * batch * 3 * hidden },
        hiddenBefore: dh, hiddenAfter: dh, cellBefore: dc, cellAfter: dc)
      let fromOutput = dOut + t * stateCount
      for index in 0..<stateCount { dh[index] += fromOutput[index] }
      gateGradients(o.mode, forward: forward, grads: grads, dHidden: dh, dCell: dc)
      if let dr = grads.recurrent {
        gemm(batch, hidden, width, dr, width, wHH, hidden, beta: 1, dh, hidden)
      } else {
        gemm(batch, hidden, width, grads.gates, width, wHH, hidden, beta: 0, dh, hidden)
      }
    }
    var result = RecurrentGradients()
    let rows = steps * batch
    let dg = dGates.pointer(T.self)
    if needs[0] {
      let dx = Tensor(uninitializedShape: o.input.shape, dtype: dtype)
      gemm(
        rows, o.inputSize, width, dg, width, o.wIH.pointer(T.self), o.inputSize, beta: 0,
        dx.pointer(T.self), o.inputSize)
      result.input = dx
    }
    if needs[1] { result.h0 = dState }
    if needs[2] { result.c0 = dCell }
    if needs[3] {
      let dw = Tensor(uninitializedShape: o.wIH.shape, dtype: dtype)
      gemm(
        transA: true, width, o.inputSize, rows, dg, width, o.input.pointer(T.self), o.inputSize,
        beta: 0, dw.pointer(T.self), o.inputSize)
      result.wIH = dw
    }
    let dRec = dRecurrent ?? dGates
    if needs[4] {
      let dw = Tensor(uninitializedShape: o.wHH.shape, dtype: dtype)
      // Every step's state before it, in time order: one matrix of T·B rows.
      let before = tape.states.pointer(T.self) + (o.reverse ? stateCount : 0)
      gemm(
        transA: true, width, hidden, rows, dRec.pointer(T.self), width, before, hidden, beta: 0,
        dw.pointer(T.self), hidden)
      result.wHH = dw
    }
    if needs[5] { result.bIH = columnSums(dGates, rows: rows, width: width, T.self) }
    if needs[6] { result.bHH = columnSums(dRec, rows: rows, width: width, T.self) }
    return result
  }

  private func columnSums<T: FloatScalar>(_ m: Tensor, rows: Int, width: Int, _: T.Type)
    -> Tensor
  {
    let out = Tensor.zeros([width], dtype: T.dtype)
    let (source, total) = (m.pointer(T.self), out.pointer(T.self))
    for row in 0..<rows {
      let line = source + row * width
      for j in 0..<width { total[j] += line[j] }
    }
    return out
  }
}
