/// The backward of a recurrent layer while a graph of the gradient is recorded (`createGraph`):
/// the forward recomputed from the saved inputs with differentiable ops, then
/// back-propagation through time written with differentiable ops, so that the gradients are
/// functions of the inputs and of the incoming gradients that autograd can differentiate again.
/// It is also the readable statement of what the fused kernels compute.

/// One step's values in the recomputed forward.
private struct StepValues {
  let stateBefore: Tensor
  let cellBefore: Tensor?
  let stateAfter: Tensor
  let cellAfter: Tensor?
  /// LSTM: i, f, g, o; GRU: r, z, n and W_hn·h + b_hn; RNN: empty.
  let gates: [Tensor]
}

/// Gradients of `[x, h0, c0, wIH, wHH, bIH, bHH]` (nil for absent inputs and unneeded ones),
/// given the gradients of the output `[T, B, H]`, the last state and (LSTM) the last cell.
func differentiableRecurrentGradients(
  _ mode: RecurrentMode, _ inputs: [Tensor?], reverse: Bool, gradients: [Tensor], needs: [Bool]
) -> [Tensor?] {
  let (x, h0, c0, wIH, wHH, bIH, bHH) = (
    inputs[0]!, inputs[1]!, inputs[2], inputs[3]!, inputs[4]!, inputs[5], inputs[6]
  )
  let (steps, batch, inputSize) = (x.shape[0], x.shape[1], x.shape[2])
  let width = wIH.shape[0]
  let projected = linear(x.reshaped([steps * batch, inputSize]), wIH, bIH)
    .reshaped([steps, batch, width])
  let order = reverse ? Array((0..<steps).reversed()) : Array(0..<steps)
  var values = [StepValues?](repeating: nil, count: steps)
  var (h, c) = (h0, c0)
  for t in order {
    let xt = projected.select(0, t)
    let step: StepValues
    switch mode {
    case .lstm:
      let parts = (xt + linear(h, wHH, bHH)).chunk(4, dim: 1)
      let (i, f, g, o) = (
        parts[0].sigmoid(), parts[1].sigmoid(), parts[2].tanh(), parts[3].sigmoid()
      )
      let cell = f * c! + i * g
      step = StepValues(
        stateBefore: h, cellBefore: c, stateAfter: o * cell.tanh(), cellAfter: cell,
        gates: [i, f, g, o])
    case .gru:
      let fromInput = xt.chunk(3, dim: 1)
      let fromState = linear(h, wHH, bHH).chunk(3, dim: 1)
      let r = (fromInput[0] + fromState[0]).sigmoid()
      let z = (fromInput[1] + fromState[1]).sigmoid()
      let n = (fromInput[2] + r * fromState[2]).tanh()
      step = StepValues(
        stateBefore: h, cellBefore: nil, stateAfter: n + z * (h - n), cellAfter: nil,
        gates: [r, z, n, fromState[2]])
    case .rnnTanh, .rnnRelu:
      let pre = xt + linear(h, wHH, bHH)
      step = StepValues(
        stateBefore: h, cellBefore: nil, stateAfter: mode == .rnnTanh ? pre.tanh() : pre.relu(),
        cellAfter: nil, gates: [])
    }
    values[t] = step
    (h, c) = (step.stateAfter, step.cellAfter)
  }
  // Back through time: dh and dc are the gradients reaching the state after the step.
  var dh = gradients[1]
  var dc: Tensor? = mode == .lstm ? gradients[2] : nil
  var dGates = [Tensor?](repeating: nil, count: steps)
  var dRecurrent = [Tensor?](repeating: nil, count: steps)
  for t in order.reversed() {
    let step = values[t]!
    dh = dh + gradients[0].select(0, t)
    switch mode {
    case .lstm:
      let (i, f, g, o) = (step.gates[0], step.gates[1], step.gates[2], step.gates[3])
      let tc = step.cellAfter!.tanh()
      let dCell = dc! + dh * o * (1 - tc * tc)
      let dg = Tensor.cat(
        [
          dCell * g * i * (1 - i), dCell * step.cellBefore! * f * (1 - f),
          dCell * i * (1 - g * g), dh * tc * o * (1 - o),
        ], dim: 1)
      dGates[t] = dg
      dc = dCell * f
      dh = dg.matmul(wHH)
    case .gru:
      let (r, z, n, hn) = (step.gates[0], step.gates[1], step.gates[2], step.gates[3])
      let dn = dh * (1 - z) * (1 - n * n)
      let dz = dh * (step.stateBefore - n) * z * (1 - z)
      let dr = dn * hn * r * (1 - r)
      dGates[t] = Tensor.cat([dr, dz, dn], dim: 1)
      let dFromState = Tensor.cat([dr, dz, dn * r], dim: 1)
      dRecurrent[t] = dFromState
      dh = dh * z + dFromState.matmul(wHH)
    case .rnnTanh, .rnnRelu:
      let y = step.stateAfter
      let dg = mode == .rnnTanh ? dh * (1 - y * y) : dh * y.gt(0).to(y.dtype)
      dGates[t] = dg
      dh = dg.matmul(wHH)
    }
  }
  let dG = Tensor.stack(dGates.map { $0! }).reshaped([steps * batch, width])
  let dRec =
    mode == .gru ? Tensor.stack(dRecurrent.map { $0! }).reshaped([steps * batch, width]) : dG
  let before = Tensor.stack(values.map { $0!.stateBefore }).reshaped([steps * batch, -1])
  return [
    needs[0] ? dG.matmul(wIH).reshaped(x.shape) : nil,
    needs[1] ? dh : nil,
    needs[2] ? dc : nil,
    needs[3] ? dG.t().matmul(x.reshaped([steps * batch, inputSize])) : nil,
    needs[4] ? dRec.t().matmul(before) : nil,
    needs[5] ? dG.sum(dim: 0) : nil,
    needs[6] ? dRec.sum(dim: 0) : nil,
  ]
}
