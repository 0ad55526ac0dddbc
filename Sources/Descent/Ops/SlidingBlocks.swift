/// `unfold` (im2col) and `fold` (col2im) as public ops, each the other's adjoint: the backward of
/// one is the other, so that a gradient computed with them is itself differentiable.
/// Convolution's backward uses them when a graph of the gradient is recorded.

/// The sliding blocks of a batch of images as columns (`F.unfold`): `[N, C, H, W]` gives
/// `[N, C·kh·kw, L]` with one column per window position (L of them), zeros over the
/// padding; an unbatched `[C, H, W]` gives `[C·kh·kw, L]`.
public func unfold(
  _ input: Tensor, kernelSize: any SpatialArgument, dilation: any SpatialArgument = 1,
  padding: any SpatialArgument = 0, stride: any SpatialArgument = 1
) -> Tensor {
  Tensor.op(input) { () throws(OpError) in
    let parameters = try WindowParameters(
      kernelSize: kernelSize, dilation: dilation, padding: padding, stride: stride, op: "unfold")
    guard input.rank == 3 || input.rank == 4,
      input.shape.dropFirst(input.rank - 3).allSatisfy({ $0 > 0 })
    else {
      throw OpError(
        "unfold",
        "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: \(shapeText(input.shape))"
      )
    }
    try requireFloatInput(input, op: "unfold", kernel: "im2col_out_cpu")
    let batched = input.rank == 4 ? input : input.reshapedData([1] + input.shape)
    let (batch, channels) = (batched.shape[0], batched.shape[1])
    let window = parameters.window(height: batched.shape[2], width: batched.shape[3])
    guard window.outHeight >= 1, window.outWidth >= 1 else {
      throw OpError(
        "unfold",
        "Given input with spatial size (\(window.height), \(window.width)), kernel_size=\(tupleText(parameters.kernel)), dilation=\(tupleText(parameters.dilation)), padding=\(tupleText(parameters.padding)), calculated shape of the array of sliding blocks as (\(window.outHeight), \(window.outWidth)), but its components must be at least one."
      )
    }
    let rows = channels * window.kernelArea
    let outShape = (input.rank == 4 ? [batch] : []) + [rows, window.blocks]
    let out = input.dtype.dispatchFloat(
      BatchIm2Col(
        input: batched.dense(), batch: batch, channels: channels, window: window,
        outShape: outShape))
    let size = [window.height, window.width]
    record("Im2ColBackward0", out, input) { g in
      fold(
        g, outputSize: size, kernelSize: parameters.kernel, dilation: parameters.dilation,
        padding: parameters.padding, stride: parameters.stride)
    }
    return out
  }
}

/// Sums columns of sliding blocks back into images (`F.fold`), the adjoint of `unfold`:
/// `[N, C·kh·kw, L]` gives `[N, C, H, W]` for `outputSize` `[H, W]`, each entry added onto the
/// pixel its block covers; an unbatched `[C·kh·kw, L]` gives `[C, H, W]`.
public func fold(
  _ input: Tensor, outputSize: any SpatialArgument, kernelSize: any SpatialArgument,
  dilation: any SpatialArgument = 1, padding: any SpatialArgument = 0,
  stride: any SpatialArgument = 1
) -> Tensor {
  Tensor.op(input) { () throws(OpError) in
    let parameters = try WindowParameters(
      kernelSize: kernelSize, dilation: dilation, padding: padding, stride: stride, op: "fold")
    let size = try spatialValues(
      outputSize.spatialValues, count: 2, name: "output_size", op: "fold")
    guard input.rank == 2 || input.rank == 3,
      input.shape.dropFirst(input.rank - 2).allSatisfy({ $0 > 0 })
    else {
      throw OpError(
        "fold",
        "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero dimensions for input, but got: \(shapeText(input.shape))"
      )
    }
    try requireFloatInput(input, op: "fold", kernel: "col2im_out_cpu")
    let batched = input.rank == 3 ? input : input.reshapedData([1] + input.shape)
    let (batch, rows, blocks) = (batched.shape[0], batched.shape[1], batched.shape[2])
    let area = parameters.kernel[0] * parameters.kernel[1]
    guard rows % area == 0 else {
      throw OpError(
        "fold",
        "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)=\(rows) and kernel_size=\(tupleText(parameters.kernel))."
      )
    }
    let window = parameters.window(height: size[0], width: size[1])
    guard window.outHeight >= 1, window.outWidth >= 1, window.blocks == blocks else {
      throw OpError(
        "fold",
        "Given output_size=\(tupleText(size)), kernel_size=\(tupleText(parameters.kernel)), dilation=\(tupleText(parameters.dilation)), padding=\(tupleText(parameters.padding)), stride=\(tupleText(parameters.stride)), expected size of input's dimension \(input.rank - 1) to match the calculated number of sliding blocks \(window.outHeight) * \(window.outWidth) = \(window.outHeight * window.outWidth), but got input.size(\(input.rank - 1))=\(blocks)."
      )
    }
    let channels = rows / area
    let outShape = (input.rank == 3 ? [batch] : []) + [channels] + size
    let out = input.dtype.dispatchFloat(
      BatchCol2Im(
        columns: batched.dense(), batch: batch, channels: channels, window: window,
        outShape: outShape))
    record("Col2ImBackward0", out, input) { g in
      unfold(
        g, kernelSize: parameters.kernel, dilation: parameters.dilation,
        padding: parameters.padding, stride: parameters.stride)
    }
    return out
  }
}

/// The checked kernel size, dilation, padding and stride of `unfold`/`fold`, two values each.
struct WindowParameters: Sendable {
  let kernel: [Int]
  let dilation: [Int]
  let padding: [Int]
  let stride: [Int]

  init(
    kernelSize: any SpatialArgument, dilation: any SpatialArgument,
    padding: any SpatialArgument, stride: any SpatialArgument, op: String
  ) throws(OpError) {
    kernel = try spatialValues(kernelSize.spatialValues, count: 2, name: "kernel_size", op: op)
    self.dilation = try spatialValues(dilation.spatialValues, count: 2, name: "dilation", op: op)
    self.padding = try spatialValues(padding.spatialValues, count: 2, name: "padding", op: op)
    self.stride = try spatialValues(stride.spatialValues, count: 2, name: "stride", op: op)
    guard kernel.allSatisfy({ $0 > 0 }) else {
      throw OpError(
        op,
        "kernel size should be greater than zero, but got kernel_height: \(kernel[0]) kernel_width: \(kernel[1])"
      )
    }
    guard self.stride.allSatisfy({ $0 > 0 }) else {
      throw OpError(
        op,
        "stride should be greater than zero, but got stride_height: \(self.stride[0]) stride_width: \(self.stride[1])"
      )
    }
    guard self.dilation.allSatisfy({ $0 > 0 }) else {
      throw OpError(
        op,
        "dilation should be greater than zero, but got dilation_height: \(self.dilation[0]) dilation_width: \(self.dilation[1])"
      )
    }
    guard self.padding.allSatisfy({ $0 >= 0 }) else {
      throw OpError(
        op,
        "padding should be non-negative, but got pad_height: \(self.padding[0]) pad_width: \(self.padding[1])"
      )
    }
  }

  /// The window over an image of `height` × `width`, padded on both sides.
  func window(height: Int, width: Int) -> Window2D {
    Window2D(
      height: height, width: width, kernelHeight: kernel[0], kernelWidth: kernel[1],
      strideHeight: stride[0], strideWidth: stride[1], padTop: padding[0], padLeft: padding[1],
      dilationHeight: dilation[0], dilationWidth: dilation[1],
      outHeight: Window2D.positions(
        height, kernel: kernel[0], stride: stride[0], padding: 2 * padding[0],
        dilation: dilation[0]),
      outWidth: Window2D.positions(
        width, kernel: kernel[1], stride: stride[1], padding: 2 * padding[1],
        dilation: dilation[1]))
  }
}

/// Refuses integral inputs, as PyTorch's float-only CPU kernels do ("not implemented for
/// 'Long'").
func requireFloatInput(_ input: Tensor, op: String, kernel: String) throws(OpError) {
  guard input.dtype.isFloatingPoint else {
    let name = input.dtype == .int64 ? "Long" : input.dtype == .bool ? "Bool" : "\(input.dtype)"
    throw OpError(
      op,
      "\"\(kernel)\" not implemented for '\(name)' (input \(shapeText(input.shape))); convert it with to(.float32)"
    )
  }
}
