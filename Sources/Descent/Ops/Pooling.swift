/// Max and average pooling over the last two dimensions (`F.max_pool2d`, `F.avg_pool2d`) and
/// over the last one (`F.max_pool1d`, `F.avg_pool1d`, which pool a height of 1 and squeeze it,
/// as PyTorch does). Checked as PyTorch checks them; recorded as
/// `MaxPool2DWithIndicesBackward0` (with the indices of the maxima) and `AvgPool2DBackward0`.

/// Max pooling of `[N, C, H, W]` or `[C, H, W]` (`F.max_pool2d`); `stride` defaults to the
/// kernel size. Each value is the maximum of its window (a NaN wins).
public func maxPool2d(
  _ input: Tensor, kernelSize: any SpatialArgument, stride: (any SpatialArgument)? = nil,
  padding: any SpatialArgument = 0, dilation: any SpatialArgument = 1, ceilMode: Bool = false
) -> Tensor {
  Tensor.op(input) { () throws(OpError) in
    try maxPooling(
      input,
      PoolingOptions(
        kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
        ceilMode: ceilMode, op: "max_pool2d")
    ).values
  }
}

/// Max pooling that also returns, for every output, the index `h·W + w` of its maximum in its
/// plane (`F.max_pool2d(..., return_indices=True)`).
public func maxPool2dWithIndices(
  _ input: Tensor, kernelSize: any SpatialArgument, stride: (any SpatialArgument)? = nil,
  padding: any SpatialArgument = 0, dilation: any SpatialArgument = 1, ceilMode: Bool = false
) -> (values: Tensor, indices: Tensor) {
  Tensor.op([input], placeholder: (Tensor.poisoned(input.dtype), Tensor.poisoned(.int64))) {
    () throws(OpError) in
    try maxPooling(
      input,
      PoolingOptions(
        kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
        ceilMode: ceilMode, op: "max_pool2d"), wantsIndices: true)
  }
}

/// Average pooling of `[N, C, H, W]` or `[C, H, W]` (`F.avg_pool2d`): each value is the sum of
/// its window divided by its size, counting the padding unless `countIncludePad` is false, or
/// by `divisorOverride`.
public func avgPool2d(
  _ input: Tensor, kernelSize: any SpatialArgument, stride: (any SpatialArgument)? = nil,
  padding: any SpatialArgument = 0, ceilMode: Bool = false, countIncludePad: Bool = true,
  divisorOverride: Int? = nil
) -> Tensor {
  Tensor.op(input) { () throws(OpError) in
    try averagePooling(
      input,
      PoolingOptions(
        kernelSize: kernelSize, stride: stride, padding: padding, dilation: 1,
        ceilMode: ceilMode, op: "avg_pool2d"),
      AveragingRule(countIncludePad: countIncludePad, divisorOverride: divisorOverride))
  }
}

/// Max pooling of `[N, C, L]` or `[C, L]` over the last dimension (`F.max_pool1d`).
public func maxPool1d(
  _ input: Tensor, kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1,
  ceilMode: Bool = false
) -> Tensor {
  Tensor.op(input) { () throws(OpError) in
    try maxPooling1d(
      input, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
      ceilMode: ceilMode, op: "max_pool1d")
  }
}

/// Average pooling of `[N, C, L]` or `[C, L]` over the last dimension (`F.avg_pool1d`).
public func avgPool1d(
  _ input: Tensor, kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false,
  countIncludePad: Bool = true
) -> Tensor {
  Tensor.op(input) { () throws(OpError) in
    try averagePooling1d(
      input, kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode,
      countIncludePad: countIncludePad, op: "avg_pool1d")
  }
}

/// A pooling's arguments as given, before they are checked against the input.
struct PoolingOptions {
  var kernel: [Int]
  /// Empty: the kernel size.
  var stride: [Int]
  var padding: [Int]
  var dilation: [Int]
  var ceilMode: Bool
  /// The name in messages: `max_pool2d`, or a layer's (`MaxPool2d`).
  var op: String

  init(
    kernel: [Int], stride: [Int], padding: [Int], dilation: [Int], ceilMode: Bool, op: String
  ) {
    (self.kernel, self.stride, self.padding, self.dilation) = (kernel, stride, padding, dilation)
    (self.ceilMode, self.op) = (ceilMode, op)
  }

  /// The options as the functional forms and layers take them (`stride` nil: the kernel size).
  init(
    kernelSize: any SpatialArgument, stride: (any SpatialArgument)?,
    padding: any SpatialArgument, dilation: any SpatialArgument, ceilMode: Bool, op: String
  ) {
    self.init(
      kernel: kernelSize.spatialValues, stride: stride?.spatialValues ?? [],
      padding: padding.spatialValues, dilation: dilation.spatialValues, ceilMode: ceilMode,
      op: op)
  }

  /// Checks the options and the input (`[N, C, H, W]` or `[C, H, W]`) as PyTorch's
  /// `pool2d_shape_check` does; returns the window and the number of planes.
  func window(for input: Tensor, kind: String) throws(OpError) -> (window: Window2D, planes: Int) {
    func pair(_ values: [Int], _ name: String, _ rule: String) throws(OpError) -> [Int] {
      guard values.count == 1 || values.count == 2 else {
        throw OpError(op, "\(kind): \(name) must \(rule) (got \(shapeText(values)))")
      }
      return values.count == 1 ? [values[0], values[0]] : values
    }
    let kernel = try pair(
      self.kernel, "kernel_size", "either be a single int, or a tuple of two ints")
    let stride =
      self.stride.isEmpty
      ? kernel
      : try pair(self.stride, "stride", "either be omitted, a single int, or a tuple of two ints")
    let padding = try pair(
      self.padding, "padding", "either be a single int, or a tuple of two ints")
    let dilation = try pair(
      self.dilation, "dilation", "be either a single int, or a tuple of two ints")
    guard input.rank == 3 || input.rank == 4, input.shape.suffix(3).allSatisfy({ $0 > 0 }) else {
      throw OpError(
        op,
        "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:\(shapeText(input.shape))"
      )
    }
    try requireFloatInput(input, op: op, kernel: kind)
    guard stride.allSatisfy({ $0 != 0 }) else {
      throw OpError(op, "stride should not be zero (input \(shapeText(input.shape)))")
    }
    for d in 0..<2 {
      guard padding[d] >= 0 else {
        throw OpError(op, "pad must be non-negative, but got pad: \(padding[d])")
      }
      guard padding[d] <= ((kernel[d] - 1) * dilation[d] + 1) / 2 else {
        throw OpError(
          op,
          "pad should be at most half of effective kernel size, but got pad=\(padding[d]), kernel_size=\(kernel[d]) and dilation=\(dilation[d])"
        )
      }
    }
    guard kernel.allSatisfy({ $0 > 0 }) else {
      throw OpError(
        op, "kernel size should be greater than zero, but got kH: \(kernel[0]) kW: \(kernel[1])")
    }
    guard stride.allSatisfy({ $0 > 0 }) else {
      throw OpError(
        op, "stride should be greater than zero, but got dH: \(stride[0]) dW: \(stride[1])")
    }
    guard dilation.allSatisfy({ $0 > 0 }) else {
      throw OpError(
        op,
        "dilation should be greater than zero, but got dilationH: \(dilation[0]) dilationW: \(dilation[1])"
      )
    }
    let (height, width) = (input.shape[input.rank - 2], input.shape[input.rank - 1])
    let outHeight = poolingPositions(
      height, kernel[0], padding[0], stride[0], dilation[0], ceilMode)
    let outWidth = poolingPositions(width, kernel[1], padding[1], stride[1], dilation[1], ceilMode)
    let channels = input.shape[input.rank - 3]
    guard outHeight >= 1, outWidth >= 1 else {
      throw OpError(
        op,
        "Given input size: (\(channels)x\(height)x\(width)). Calculated output size: (\(channels)x\(outHeight)x\(outWidth)). Output size is too small"
      )
    }
    let window = Window2D(
      height: height, width: width, kernelHeight: kernel[0], kernelWidth: kernel[1],
      strideHeight: stride[0], strideWidth: stride[1], padTop: padding[0], padLeft: padding[1],
      dilationHeight: dilation[0], dilationWidth: dilation[1], outHeight: outHeight,
      outWidth: outWidth)
    return (window, input.count / window.plane)
  }
}

/// PyTorch's `pooling_output_shape`: with `ceil` the last window may start in the right
/// padding but never beyond it.
func poolingPositions(
  _ size: Int, _ kernel: Int, _ pad: Int, _ stride: Int, _ dilation: Int, _ ceil: Bool
) -> Int {
  var positions =
    floorDivision(size + 2 * pad - dilation * (kernel - 1) - 1 + (ceil ? stride - 1 : 0), stride)
    + 1
  if ceil && (positions - 1) * stride >= size + pad { positions -= 1 }
  return positions
}

/// Max pooling, checked, recorded as `MaxPool2DWithIndicesBackward0`. Without `wantsIndices`
/// and with nothing to record, the indices are not kept (an empty tensor is returned).
func maxPooling(_ input: Tensor, _ options: PoolingOptions, wantsIndices: Bool = false)
  throws(OpError) -> (values: Tensor, indices: Tensor)
{
  let (window, planes) = try options.window(for: input, kind: "max_pool2d")
  let outShape = Array(input.shape.dropLast(2)) + [window.outHeight, window.outWidth]
  let records = GradMode.isEnabled && input.requiresGradFlag
  let (out, kept) = input.dtype.dispatchFloat(
    MaxPoolForward(
      input: input.dense(), planes: planes, window: window, outShape: outShape,
      keepsIndices: records || wantsIndices))
  guard let indices = kept else { return (out, Tensor.zeros([0], dtype: .int64)) }
  let inputShape = input.shape
  record("MaxPool2DWithIndicesBackward0", out, input) { g in
    if GradMode.isEnabled {
      // Each output's gradient scattered onto its maximum: differentiable in g.
      return Tensor.zeros([planes, window.plane], dtype: g.dtype)
        .scatterAdding(
          1, indices.reshaped([planes, window.blocks]), g.reshaped([planes, window.blocks])
        )
        .reshaped(inputShape)
    }
    return g.dtype.dispatchFloat(
      MaxPoolBackward(
        gradient: g.dense(), indices: indices, planes: planes, plane: window.plane,
        blocks: window.blocks, outShape: inputShape))
  }
  return (out, indices)
}

/// Average pooling, checked, recorded as `AvgPool2DBackward0`.
func averagePooling(_ input: Tensor, _ options: PoolingOptions, _ rule: AveragingRule)
  throws(OpError) -> Tensor
{
  if rule.divisorOverride == 0 {
    throw OpError(options.op, "divisor must be not zero")
  }
  let (window, planes) = try options.window(for: input, kind: "avg_pool2d")
  let outShape = Array(input.shape.dropLast(2)) + [window.outHeight, window.outWidth]
  let out = input.dtype.dispatchFloat(
    AveragePoolForward(
      input: input.dense(), planes: planes, window: window, rule: rule, outShape: outShape))
  let inputShape = input.shape
  record("AvgPool2DBackward0", out, input) { g in
    if GradMode.isEnabled {
      let maps = window.averagingMaps(rule)
      return separableAdjoint(g, rows: maps.rows, columns: maps.columns, inputShape: inputShape)
    }
    return g.dtype.dispatchFloat(
      AveragePoolBackward(
        gradient: g.dense(), planes: planes, window: window, rule: rule, outShape: inputShape))
  }
  return out
}

/// `max_pool1d`: a max pooling of height 1 over `input` with a height dimension inserted.
func maxPooling1d(
  _ input: Tensor, kernelSize: Int, stride: Int?, padding: Int, dilation: Int, ceilMode: Bool,
  op: String
) throws(OpError) -> Tensor {
  guard input.rank == 2 || input.rank == 3, input.shape.suffix(2).allSatisfy({ $0 > 0 }) else {
    throw OpError(
      op,
      "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:\(shapeText(input.shape))"
    )
  }
  let step = stride ?? kernelSize
  if kernelSize > 0, step > 0, dilation > 0, padding >= 0 {
    let positions = poolingPositions(
      input.shape[input.rank - 1], kernelSize, padding, step, dilation, ceilMode)
    guard positions >= 1 else {
      throw OpError(
        op,
        "max_pool1d() Invalid computed output size: \(positions) (input \(shapeText(input.shape)), kernel_size=\(kernelSize))"
      )
    }
  }
  let options = PoolingOptions(
    kernel: [1, kernelSize], stride: [1, step], padding: [0, padding], dilation: [1, dilation],
    ceilMode: ceilMode, op: op)
  return try maxPooling(input.unsqueeze(-2), options).values.squeeze(-2)
}

/// `avg_pool1d`: an average pooling of height 1 over `input` with a height dimension inserted.
func averagePooling1d(
  _ input: Tensor, kernelSize: Int, stride: Int?, padding: Int, ceilMode: Bool,
  countIncludePad: Bool, op: String
) throws(OpError) -> Tensor {
  guard input.rank == 2 || input.rank == 3 else {
    throw OpError(
      op,
      "Expected 2 to 3 dimensions, but got \(input.rank)-dimensional tensor for argument #1 'self' (while checking arguments for avg_pool1d) (shape \(shapeText(input.shape)))"
    )
  }
  let options = PoolingOptions(
    kernel: [1, kernelSize], stride: [1, stride ?? kernelSize], padding: [0, padding],
    dilation: [1], ceilMode: ceilMode, op: op)
  let rule = AveragingRule(countIncludePad: countIncludePad, divisorOverride: nil)
  return try averagePooling(input.unsqueeze(-2), options, rule).squeeze(-2)
}
