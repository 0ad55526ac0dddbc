/// Pooling layers: max, average and adaptive pooling over images and sequences. The ops are in
/// Ops/Pooling.swift and Ops/AdaptivePooling.swift; the layers print their arguments as given,
/// as PyTorch's do.

/// `nn.MaxPool2d`: the maximum of each window of `[N, C, H, W]` (or `[C, H, W]`); `stride`
/// defaults to the kernel size.
public final class MaxPool2d: Module {
  public let kernelSize: any SpatialArgument
  public let stride: any SpatialArgument
  public let padding: any SpatialArgument
  public let dilation: any SpatialArgument
  public let ceilMode: Bool

  public init(
    kernelSize: any SpatialArgument, stride: (any SpatialArgument)? = nil,
    padding: any SpatialArgument = 0, dilation: any SpatialArgument = 1, ceilMode: Bool = false
  ) {
    self.kernelSize = kernelSize
    self.stride = stride ?? kernelSize
    self.padding = padding
    self.dilation = dilation
    self.ceilMode = ceilMode
    super.init()
  }

  public override func forward(_ input: Tensor) -> Tensor {
    Tensor.op(input) { () throws(OpError) in
      try maxPooling(
        input,
        PoolingOptions(
          kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
          ceilMode: ceilMode, op: typeName)
      ).values
    }
  }

  public override var extraRepr: String {
    "kernel_size=\(kernelSize.pythonDescription), stride=\(stride.pythonDescription), padding=\(padding.pythonDescription), dilation=\(dilation.pythonDescription), ceil_mode=\(ceilMode ? "True" : "False")"
  }
}

/// `nn.MaxPool1d`: the maximum of each window of `[N, C, L]` (or `[C, L]`).
public final class MaxPool1d: Module {
  public let kernelSize: Int
  public let stride: Int
  public let padding: Int
  public let dilation: Int
  public let ceilMode: Bool

  public init(
    kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1,
    ceilMode: Bool = false
  ) {
    self.kernelSize = kernelSize
    self.stride = stride ?? kernelSize
    self.padding = padding
    self.dilation = dilation
    self.ceilMode = ceilMode
    super.init()
  }

  public override func forward(_ input: Tensor) -> Tensor {
    Tensor.op(input) { () throws(OpError) in
      try maxPooling1d(
        input, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
        ceilMode: ceilMode, op: typeName)
    }
  }

  public override var extraRepr: String {
    "kernel_size=\(kernelSize), stride=\(stride), padding=\(padding), dilation=\(dilation), ceil_mode=\(ceilMode ? "True" : "False")"
  }
}

/// `nn.AvgPool2d`: the mean of each window of `[N, C, H, W]` (or `[C, H, W]`), counting the
/// padding unless `countIncludePad` is false; `divisorOverride` replaces the count.
public final class AvgPool2d: Module {
  public let kernelSize: any SpatialArgument
  public let stride: any SpatialArgument
  public let padding: any SpatialArgument
  public let ceilMode: Bool
  public let countIncludePad: Bool
  public let divisorOverride: Int?

  public init(
    kernelSize: any SpatialArgument, stride: (any SpatialArgument)? = nil,
    padding: any SpatialArgument = 0, ceilMode: Bool = false, countIncludePad: Bool = true,
    divisorOverride: Int? = nil
  ) {
    self.kernelSize = kernelSize
    self.stride = stride ?? kernelSize
    self.padding = padding
    self.ceilMode = ceilMode
    self.countIncludePad = countIncludePad
    self.divisorOverride = divisorOverride
    super.init()
  }

  public override func forward(_ input: Tensor) -> Tensor {
    Tensor.op(input) { () throws(OpError) in
      try averagePooling(
        input,
        PoolingOptions(
          kernelSize: kernelSize, stride: stride, padding: padding, dilation: 1,
          ceilMode: ceilMode, op: typeName),
        AveragingRule(countIncludePad: countIncludePad, divisorOverride: divisorOverride))
    }
  }

  public override var extraRepr: String {
    "kernel_size=\(kernelSize.pythonDescription), stride=\(stride.pythonDescription), padding=\(padding.pythonDescription)"
  }
}

/// `nn.AvgPool1d`: the mean of each window of `[N, C, L]` (or `[C, L]`).
public final class AvgPool1d: Module {
  public let kernelSize: Int
  public let stride: Int
  public let padding: Int
  public let ceilMode: Bool
  public let countIncludePad: Bool

  public init(
    kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false,
    countIncludePad: Bool = true
  ) {
    self.kernelSize = kernelSize
    self.stride = stride ?? kernelSize
    self.padding = padding
    self.ceilMode = ceilMode
    self.countIncludePad = countIncludePad
    super.init()
  }

  public override func forward(_ input: Tensor) -> Tensor {
    Tensor.op(input) { () throws(OpError) in
      try averagePooling1d(
        input, kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode,
        countIncludePad: countIncludePad, op: typeName)
    }
  }

  /// PyTorch stores AvgPool1d's arguments as one-element tuples.
  public override var extraRepr: String {
    "kernel_size=(\(kernelSize),), stride=(\(stride),), padding=(\(padding),)"
  }
}

/// `nn.AdaptiveAvgPool2d`: averages `[N, C, H, W]` (or `[C, H, W]`) down to `outputSize`,
/// one `Int` or `[h, w]`; `AdaptiveAvgPool2d(1)` is global average pooling.
public final class AdaptiveAvgPool2d: Module {
  public let outputSize: any SpatialArgument

  public init(_ outputSize: any SpatialArgument) {
    self.outputSize = outputSize
    super.init()
  }

  public override func forward(_ input: Tensor) -> Tensor {
    Tensor.op(input) { () throws(OpError) in
      try adaptiveAveragePooling(input, outputSize.spatialValues, op: typeName)
    }
  }

  public override var extraRepr: String { "output_size=\(outputSize.pythonDescription)" }
}

/// `nn.AdaptiveMaxPool2d`: the maxima of `[N, C, H, W]` (or `[C, H, W]`) over windows that
/// give `outputSize`.
public final class AdaptiveMaxPool2d: Module {
  public let outputSize: any SpatialArgument

  public init(_ outputSize: any SpatialArgument) {
    self.outputSize = outputSize
    super.init()
  }

  public override func forward(_ input: Tensor) -> Tensor {
    Tensor.op(input) { () throws(OpError) in
      try adaptiveMaxPooling(input, outputSize.spatialValues, op: typeName).values
    }
  }

  public override var extraRepr: String { "output_size=\(outputSize.pythonDescription)" }
}
