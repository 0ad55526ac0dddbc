/// One direction of one recurrent layer over a whole sequence, recorded as one node with
/// three outputs (the sequence of states, the last state, the last cell state): what `RNN`,
/// `LSTM`, `GRU` and their cells run. The passes are in RecurrentPasses.swift; while a graph of
/// the gradient is recorded, the backward is RecurrentDifferentiable.swift's.

/// The result of `recurrentLayer`: `output` `[T, B, H]` and the states after the last step.
struct RecurrentLayerResult {
  let output: Tensor
  let lastState: Tensor
  let lastCell: Tensor?
}

/// Runs `mode` over `input` (`[T, B, I]`, time first) from the states `h0` (and `c0` for LSTM)
/// `[B, H]`, with PyTorch's weight layout; `reverse` runs from the last step to the first.
/// The caller has checked shapes and dtypes (the modules do, with PyTorch's messages).
func recurrentLayer(
  _ mode: RecurrentMode, input: Tensor, h0: Tensor, c0: Tensor?, wIH: Tensor, wHH: Tensor,
  bIH: Tensor?, bHH: Tensor?, reverse: Bool
) -> RecurrentLayerResult {
  let operands = RecurrentOperands(
    mode: mode, input: input.dense(), h0: h0.dense(), c0: c0?.dense(), wIH: wIH.dense(),
    wHH: wHH.dense(), bIH: bIH?.dense(), bHH: bHH?.dense(), reverse: reverse)
  let tape = input.dtype.dispatchFloat(RecurrentForwardPass(operands: operands))
  let outputs = [tape.output, tape.lastState] + (tape.lastCell.map { [$0] } ?? [])
  let inputs: [Tensor?] = [input, h0, c0, wIH, wHH, bIH, bHH]
  let present = inputs.compactMap { $0 }
  guard GradMode.isEnabled, present.contains(where: \.requiresGradFlag) else {
    return RecurrentLayerResult(
      output: outputs[0], lastState: outputs[1], lastCell: outputs.count > 2 ? outputs[2] : nil)
  }
  let name = mode.nodeName
  // Saved for the version check: a later in-place change of an input stops backward.
  let saved = present.map { SavedTensor($0, op: name) }
  let needs = inputs.map { $0?.requiresGradFlag ?? false }
  recordOutputs(name, outputs, present) { gradients in
    let values = saved.map(\.value)
    var next = values.makeIterator()
    let originals: [Tensor?] = inputs.map { $0 == nil ? nil : next.next() }
    let grads: [Tensor?]
    if GradMode.isEnabled {
      grads = differentiableRecurrentGradients(
        mode, originals, reverse: reverse, gradients: gradients, needs: needs)
    } else {
      let result = input.dtype.dispatchFloat(
        RecurrentBackwardPass(
          operands: operands, tape: tape, gradOutput: gradients[0].dense(),
          gradState: gradients[1].dense(),
          gradCell: gradients.count > 2 ? gradients[2].dense() : nil,
          needs: needs))
      grads = [
        result.input, result.h0, result.c0, result.wIH, result.wHH, result.bIH, result.bHH,
      ]
    }
    // One gradient per recorded input: the absent optional inputs drop out.
    return zip(inputs, grads).compactMap { input, gradient in input == nil ? nil : .some(gradient) }
  }
  return RecurrentLayerResult(
    output: outputs[0], lastState: outputs[1], lastCell: outputs.count > 2 ? outputs[2] : nil)
}

/// Records `outputs` as the outputs of one node over `inputs` (a node with several outputs,
/// as a custom `Function`'s): `backward` gets one gradient per output, zeros where none
/// arrived, and returns one per input.
func recordOutputs(
  _ name: String, _ outputs: [Tensor], _ inputs: [Tensor],
  _ backward: @escaping ([Tensor]) -> [Tensor?]
) {
  let node = Node(name: name, edges: inputs.map { $0.gradientEdge }, backward: .multi(backward))
  node.outputs = outputs.map { ($0.shape, $0.dtype) }
  node.pendingOutputGradients = [Tensor?](repeating: nil, count: Swift.max(outputs.count - 1, 0))
  for (index, output) in outputs.enumerated() {
    output.gradFn = index == 0 ? node : Node.outputSlot(index, of: node)
    output.requiresGradFlag = true
  }
  GradMode.state.anomalies?.checkForward(name, outputs[0], inputs)
}
