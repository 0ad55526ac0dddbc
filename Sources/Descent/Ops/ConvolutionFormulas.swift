/// Convolution's gradients written with public differentiable ops, for backward passes that
/// record a graph of the gradient (`GradMode.isEnabled` inside backward). They state the math
/// that the fused kernels compute:
///
///     columns(x) = unfold(pad(x))                      the windows of x, one column each
///     y          = W · columns(x)                      per group, per image
///     ∂L/∂x      = crop(fold(Wᵀ · g))                  fold is unfold's adjoint
///     ∂L/∂W      = Σₙ g · columns(x)ᵀ
///
/// A transposed convolution is the adjoint of a convolution in its input, so its forward is the
/// third line and its input gradient the second.
struct ConvolutionFormulas {
  let plan: ConvolutionPlan

  private var shape: ConvolutionShape { plan.shape }
  private var window: Window2D { plan.shape.window }

  /// The padding after each dimension that makes exactly the kernels' number of positions fit
  /// (negative: rows no window reads, cropped).
  private var padAfter: (height: Int, width: Int) {
    let w = window
    let height =
      (w.outHeight - 1) * w.strideHeight + w.dilationHeight * (w.kernelHeight - 1) + 1 - w.height
      - w.padTop
    let width =
      (w.outWidth - 1) * w.strideWidth + w.dilationWidth * (w.kernelWidth - 1) + 1 - w.width
      - w.padLeft
    return (height, width)
  }

  /// A tensor as the kernels see it: 1-D convolutions gain a height of 1 (`[N, C, L]` →
  /// `[N, C, 1, L]`, a weight `[O, C, k]` → `[O, C, 1, k]`).
  private func fourD(_ tensor: Tensor) -> Tensor {
    plan.spatialRank == 2
      ? tensor : tensor.reshaped([tensor.shape[0], tensor.shape[1], 1, tensor.shape[2]])
  }

  /// The windows of images `[N, C, H, W]` as columns `[N, C·kh·kw, L]`.
  private func columns(_ images: Tensor) -> Tensor {
    let w = window
    let after = padAfter
    let padded = pad(images, [w.padLeft, after.width, w.padTop, after.height])
    return unfold(
      padded, kernelSize: [w.kernelHeight, w.kernelWidth],
      dilation: [w.dilationHeight, w.dilationWidth], padding: 0,
      stride: [w.strideHeight, w.strideWidth])
  }

  /// The adjoint of `columns`: each column added back onto the pixels of its window.
  private func images(fromColumns columns: Tensor) -> Tensor {
    let w = window
    let after = padAfter
    let folded = fold(
      columns,
      outputSize: [w.height + w.padTop + after.height, w.width + w.padLeft + after.width],
      kernelSize: [w.kernelHeight, w.kernelWidth], dilation: [w.dilationHeight, w.dilationWidth],
      padding: 0, stride: [w.strideHeight, w.strideWidth])
    return pad(folded, [-w.padLeft, -after.width, -w.padTop, -after.height])
  }

  /// W ⋆ x for images `[N, C, H, W]`: `[N, O, outH, outW]`.
  private func forward(_ images: Tensor, _ weight: Tensor) -> Tensor {
    let s = shape
    let columns = columns(images).reshaped([s.batch, s.groups, s.groupRows, window.blocks])
    return weight.reshaped([s.groups, s.groupOut, s.groupRows]).matmul(columns)
      .reshaped([s.batch, s.outChannels, window.outHeight, window.outWidth])
  }

  /// The adjoint of `forward` in the images: `[N, O, outH, outW]` gives `[N, C, H, W]`.
  private func adjoint(_ outputs: Tensor, _ weight: Tensor) -> Tensor {
    let s = shape
    let grouped = outputs.reshaped([s.batch, s.groups, s.groupOut, window.blocks])
    let columns = weight.reshaped([s.groups, s.groupOut, s.groupRows]).transpose(1, 2)
      .matmul(grouped).reshaped([s.batch, s.inChannels * window.kernelArea, window.blocks])
    return images(fromColumns: columns)
  }

  /// Σₙ outputsₙ · columns(imagesₙ)ᵀ: the weight's shape in four dimensions.
  private func weightProduct(images: Tensor, outputs: Tensor) -> Tensor {
    let s = shape
    let columns = columns(images).reshaped([s.batch, s.groups, s.groupRows, window.blocks])
    return outputs.reshaped([s.batch, s.groups, s.groupOut, window.blocks])
      .matmul(columns.transpose(2, 3)).sum(dim: 0)
  }

  /// ∂L/∂input for the upstream gradient `g`, the input `x` and the weight `w`.
  func inputGradient(_ g: Tensor, _ x: Tensor, _ w: Tensor) -> Tensor {
    let (g4, w4) = (fourD(g), fourD(w))
    let result = plan.transposed ? forward(g4, w4) : adjoint(g4, w4)
    return result.reshaped(plan.inputShape)
  }

  /// ∂L/∂weight for the upstream gradient `g`, the input `x` and the weight `w`.
  func weightGradient(_ g: Tensor, _ x: Tensor, _ w: Tensor) -> Tensor {
    let (g4, x4) = (fourD(g), fourD(x))
    let result =
      plan.transposed
      ? weightProduct(images: g4, outputs: x4) : weightProduct(images: x4, outputs: g4)
    return result.reshaped(plan.weightShape)
  }
}
