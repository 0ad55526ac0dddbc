/// Convolutions: `conv1d`, `conv2d` and `convTranspose2d` (ConvolutionTranspose.swift) share one
/// op, checked as PyTorch checks it and recorded as `ConvolutionBackward0`. Forward and backward
/// run the fused kernels of ConvolutionKernels.swift; when a graph of the gradient is recorded
/// (`GradMode.isEnabled` inside backward), the gradients are the same products written with
/// `unfold`, `fold`, `pad` and `matmul` (ConvolutionFormulas.swift), which are differentiable.

/// The 2-D convolution of a batch of images `[N, C, H, W]` (or one image `[C, H, W]`) with a
/// weight `[O, C / groups, kh, kw]`, plus `bias` `[O]` (`F.conv2d`). `stride`, `padding` and
/// `dilation` are one `Int` or one per dimension (`[1, 2]`); `padding` may also be `.same` or
/// `.valid`.
public func conv2d(
  _ input: Tensor, _ weight: Tensor, _ bias: Tensor? = nil, stride: any SpatialArgument = 1,
  padding: any ConvPadding = 0, dilation: any SpatialArgument = 1, groups: Int = 1
) -> Tensor {
  forwardConvolution(
    input, weight, bias, stride: stride, padding: padding, dilation: dilation, groups: groups,
    spatialRank: 2)
}

/// The 1-D convolution of a batch of sequences `[N, C, L]` (or one `[C, L]`) with a weight
/// `[O, C / groups, k]`, plus `bias` `[O]` (`F.conv1d`).
public func conv1d(
  _ input: Tensor, _ weight: Tensor, _ bias: Tensor? = nil, stride: any SpatialArgument = 1,
  padding: any ConvPadding = 0, dilation: any SpatialArgument = 1, groups: Int = 1
) -> Tensor {
  forwardConvolution(
    input, weight, bias, stride: stride, padding: padding, dilation: dilation, groups: groups,
    spatialRank: 1)
}

/// `conv1d` and `conv2d`: the op boundary around `convolution`, named `conv1d` or `conv2d`.
private func forwardConvolution(
  _ input: Tensor, _ weight: Tensor, _ bias: Tensor?, stride: any SpatialArgument,
  padding: any ConvPadding, dilation: any SpatialArgument, groups: Int, spatialRank: Int
) -> Tensor {
  Tensor.op([input, weight] + (bias.map { [$0] } ?? [])) { () throws(OpError) in
    try convolution(
      input, weight, bias,
      ConvolutionOptions(
        stride: stride.spatialValues, padding: padding.paddingRule,
        dilation: dilation.spatialValues, groups: groups, spatialRank: spatialRank,
        op: "conv\(spatialRank)d"))
  }
}

/// The transposed 2-D convolution (`F.conv_transpose2d`), the adjoint of `conv2d` in its
/// input: `[N, Cin, H, W]` with a weight `[Cin, Cout / groups, kh, kw]` gives
/// `[N, Cout, (H − 1)·stride − 2·padding + dilation·(kh − 1) + outputPadding + 1, …]`.
public func convTranspose2d(
  _ input: Tensor, _ weight: Tensor, _ bias: Tensor? = nil, stride: any SpatialArgument = 1,
  padding: any SpatialArgument = 0, outputPadding: any SpatialArgument = 0, groups: Int = 1,
  dilation: any SpatialArgument = 1
) -> Tensor {
  Tensor.op([input, weight] + (bias.map { [$0] } ?? [])) { () throws(OpError) in
    try convolution(
      input, weight, bias,
      ConvolutionOptions(
        stride: stride.spatialValues, padding: PaddingRule(kind: .explicit(padding.spatialValues)),
        dilation: dilation.spatialValues, groups: groups, spatialRank: 2, op: "conv_transpose2d",
        transposed: true, outputPadding: outputPadding.spatialValues))
  }
}

/// What a convolution was asked for, before it is checked against the tensors.
struct ConvolutionOptions {
  var stride: [Int]
  var padding: PaddingRule
  var dilation: [Int]
  var groups: Int
  var spatialRank: Int
  /// The name in messages: `conv2d`, `conv1d`, `conv_transpose2d`, or a layer's (`Conv2d`).
  var op: String
  var transposed = false
  var outputPadding: [Int] = [0]

  /// PyTorch's name of the functional form, as its rank message spells it.
  var functionName: String {
    (transposed ? "conv_transpose" : "conv") + "\(spatialRank)d"
  }
}

/// Checks a convolution (PyTorch's messages) and runs it on the fused kernels, recording
/// `ConvolutionBackward0`.
func convolution(_ input: Tensor, _ weight: Tensor, _ bias: Tensor?, _ options: ConvolutionOptions)
  throws(OpError) -> Tensor
{
  let rank = options.spatialRank
  let op = options.op
  guard input.rank == rank + 1 || input.rank == rank + 2 else {
    throw OpError(
      op,
      "Expected \(rank + 1)D (unbatched) or \(rank + 2)D (batched) input to \(options.functionName), but got input of size: \(shapeText(input.shape))"
    )
  }
  if input.rank == rank + 1 {
    // One image: a batch of one, as PyTorch does (its result is a squeeze of the batch's).
    return try convolution(input.unsqueeze(0), weight, bias, options).squeeze(0)
  }
  let plan = try ConvolutionPlan(input, weight, bias, options)
  let s = plan.shape
  let x = input.dense()
  let w = weight.dense()
  let out: Tensor
  if options.transposed {
    out = input.dtype.dispatchFloat(
      ConvolutionInputGradient(gradient: x, weight: w, shape: s, outShape: plan.outputShape))
    if let bias { addChannelBias(out, bias, channels: s.inChannels, plane: s.window.plane) }
  } else {
    out = input.dtype.dispatchFloat(
      ConvolutionForward(
        input: x, weight: w, bias: bias?.dense(), shape: s, outShape: plan.outputShape))
  }
  let inputs = [input, weight] + (bias.map { [$0] } ?? [])
  guard inputs.contains(where: \.requiresGradFlag) else { return out }
  let savedInput = SavedTensor(input, op: "ConvolutionBackward0")
  let savedWeight = SavedTensor(weight, op: "ConvolutionBackward0")
  let wantsInput = input.requiresGradFlag
  let wantsWeight = weight.requiresGradFlag
  let wantsBias = bias?.requiresGradFlag == true
  record("ConvolutionBackward0", out, inputs) { g in
    let x = savedInput.value
    let w = savedWeight.value
    var grads: [Tensor?]
    if GradMode.isEnabled {
      // A graph of the gradient is being recorded: the same products, differentiable.
      let formulas = ConvolutionFormulas(plan: plan)
      grads = [
        wantsInput ? formulas.inputGradient(g, x, w) : nil,
        wantsWeight ? formulas.weightGradient(g, x, w) : nil,
      ]
    } else {
      let gd = g.dense()
      grads = [
        wantsInput ? plan.fusedInputGradient(gd, w.dense()) : nil,
        wantsWeight ? plan.fusedWeightGradient(gd, x.dense()) : nil,
      ]
    }
    if bias != nil {
      let dims = [0] + Array(2..<g.rank)
      grads.append(
        wantsBias ? (GradMode.isEnabled ? g.sum(dims: dims) : channelSums(g.dense())) : nil)
    }
    return grads
  }
  return out
}

/// A checked convolution: its sizes as the kernels see them (transposed convolutions as the
/// convolution they are the adjoint of) and the shape of its result.
struct ConvolutionPlan {
  let shape: ConvolutionShape
  let transposed: Bool
  let spatialRank: Int
  let inputShape: [Int]
  let weightShape: [Int]
  let outputShape: [Int]

  /// ∂L/∂input on the fused kernels.
  func fusedInputGradient(_ g: Tensor, _ w: Tensor) -> Tensor {
    if transposed {
      return g.dtype.dispatchFloat(
        ConvolutionForward(input: g, weight: w, bias: nil, shape: shape, outShape: inputShape))
    }
    return g.dtype.dispatchFloat(
      ConvolutionInputGradient(gradient: g, weight: w, shape: shape, outShape: inputShape))
  }

  /// ∂L/∂weight on the fused kernels.
  func fusedWeightGradient(_ g: Tensor, _ x: Tensor) -> Tensor {
    if transposed {
      return g.dtype.dispatchFloat(
        ConvolutionWeightGradient(input: g, gradient: x, shape: shape, outShape: weightShape))
    }
    return g.dtype.dispatchFloat(
      ConvolutionWeightGradient(input: x, gradient: g, shape: shape, outShape: weightShape))
  }
}

/// `out[n, c, …] += bias[c]` for a dense `[N, channels, plane…]` tensor, no autograd.
func addChannelBias(_ out: Tensor, _ bias: Tensor, channels: Int, plane: Int) {
  struct AddBias: FloatRoutine {
    let out: Tensor
    let bias: Tensor
    let channels: Int
    let plane: Int
    func run<T: FloatScalar>(_: T.Type) {
      let (y, b) = (out.pointer(T.self), bias.pointer(T.self))
      let images = channels * plane == 0 ? 0 : out.count / (channels * plane)
      for n in 0..<images {
        for c in 0..<channels {
          let row = y + (n * channels + c) * plane
          let value = b[c]
          for i in 0..<plane { row[i] += value }
        }
      }
    }
  }
  out.dtype.dispatchFloat(
    AddBias(out: out, bias: bias.converted(to: out.dtype).dense(), channels: channels, plane: plane)
  )
}

/// Σ over the batch and positions of a dense `[N, C, …]` tensor, per channel: a bias's
/// gradient in one pass.
func channelSums(_ g: Tensor) -> Tensor {
  struct ChannelSums: FloatRoutine {
    let g: Tensor
    func run<T: FloatScalar>(_: T.Type) -> Tensor {
      let (batch, channels) = (g.shape[0], g.shape[1])
      let plane = g.shape.dropFirst(2).reduce(1, *)
      let out = Tensor(uninitializedShape: [channels], dtype: T.dtype)
      let (source, target) = (g.pointer(T.self), out.pointer(T.self))
      for c in 0..<channels {
        // Four running sums in the element type, so that the loop runs at the adder's
        // throughput; rows are short, so the rounding stays that of a float sum.
        var (s0, s1, s2, s3) = (T.zero, T.zero, T.zero, T.zero)
        for n in 0..<batch {
          let row = source + (n * channels + c) * plane
          var i = 0
          while i + 4 <= plane {
            (s0, s1, s2, s3) = (s0 + row[i], s1 + row[i + 1], s2 + row[i + 2], s3 + row[i + 3])
            i += 4
          }
          while i < plane {
            s0 += row[i]
            i += 1
          }
        }
        target[c] = (s0 + s1) + (s2 + s3)
      }
      return out
    }
  }
  return g.dtype.dispatchFloat(ChannelSums(g: g))
}
