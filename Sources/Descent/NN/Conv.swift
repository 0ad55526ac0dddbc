/// Convolution layers: `Conv1d`, `Conv2d` and `ConvTranspose2d` share `ConvolutionLayer`
/// (PyTorch's `_ConvNd`): the checks, the weight and bias, PyTorch's initialisation and its
/// print. The ops are in Ops/Convolution.swift.

/// The state of a convolution layer: weight `[out, in / groups, k…]` (transposed:
/// `[in, out / groups, k…]`) and bias `[out]`, initialised as PyTorch's `reset_parameters`.
public class ConvolutionLayer: Module {
  /// Channels of the input.
  public let inChannels: Int
  /// Channels of the output.
  public let outChannels: Int
  /// The kernel's size, one value per spatial dimension.
  public let kernelSize: [Int]
  /// The step between windows, per spatial dimension.
  public let stride: [Int]
  /// The padding, as given: values per dimension, `.same` or `.valid`.
  public let padding: PaddingRule
  /// The spacing of the kernel's taps, per spatial dimension.
  public let dilation: [Int]
  /// Extra size added on one side of a transposed convolution's output.
  public let outputPadding: [Int]
  /// Blocks of channels convolved separately.
  public let groups: Int
  /// How the input is padded.
  public let paddingMode: PaddingMode
  /// The kernels.
  public let weight: Tensor
  /// `[outChannels]`, or nil with `bias: false`.
  public let bias: Tensor?
  let transposed: Bool

  init(
    _ inChannels: Int, _ outChannels: Int, kernelSize: any SpatialArgument,
    stride: any SpatialArgument, padding: PaddingRule, dilation: any SpatialArgument,
    outputPadding: any SpatialArgument, groups: Int, bias: Bool, paddingMode: PaddingMode,
    transposed: Bool, spatialRank: Int, name: String, dtype: DType, generator: Generator?
  ) {
    // The checks of PyTorch's _ConvNd.__init__ (its ValueErrors).
    let values = stopping { () throws(OpError) -> [[Int]] in
      guard groups > 0 else { throw OpError(name, "groups must be a positive integer") }
      guard inChannels % groups == 0 else {
        throw OpError(
          name, "in_channels must be divisible by groups (\(inChannels) and groups=\(groups))")
      }
      guard outChannels % groups == 0 else {
        throw OpError(
          name, "out_channels must be divisible by groups (\(outChannels) and groups=\(groups))")
      }
      guard inChannels >= 0, outChannels >= 0, dtype.isFloatingPoint else {
        throw OpError(
          name,
          "in_channels and out_channels must be non-negative and the dtype floating point (got \(inChannels), \(outChannels), \(dtype))"
        )
      }
      let kernel = try spatialValues(
        kernelSize.spatialValues, count: spatialRank, name: "kernel_size", op: name)
      let stride = try spatialValues(
        stride.spatialValues, count: spatialRank, name: "stride", op: name)
      let dilation = try spatialValues(
        dilation.spatialValues, count: spatialRank, name: "dilation", op: name)
      let outputPadding = try spatialValues(
        outputPadding.spatialValues, count: spatialRank, name: "output_padding", op: name)
      if case .explicit(let values) = padding.kind {
        _ = try spatialValues(values, count: spatialRank, name: "padding", op: name)
      } else if padding.kind == .same, stride.contains(where: { $0 != 1 }) {
        throw OpError(name, "padding='same' is not supported for strided convolutions")
      }
      return [kernel, stride, dilation, outputPadding]
    }
    self.inChannels = inChannels
    self.outChannels = outChannels
    (self.kernelSize, self.stride, self.dilation, self.outputPadding) = (
      values[0], values[1], values[2], values[3]
    )
    if case .explicit(let given) = padding.kind, given.count == 1 {
      self.padding = PaddingRule(kind: .explicit([Int](repeating: given[0], count: spatialRank)))
    } else {
      self.padding = padding
    }
    self.groups = groups
    self.paddingMode = paddingMode
    self.transposed = transposed
    let channels =
      transposed ? [inChannels, outChannels / groups] : [outChannels, inChannels / groups]
    weight = Tensor.zeros(channels + self.kernelSize, dtype: dtype)
    self.bias = bias ? Tensor.zeros([outChannels], dtype: dtype) : nil
    super.init()
    resetParameters(generator: generator)
    weight.requiresGrad = true
    self.bias?.requiresGrad = true
  }

  /// PyTorch's `reset_parameters`: Kaiming-uniform with a = √5 for the weight, then the bias
  /// from U(−1/√fan_in, 1/√fan_in) with the weight's fan-in; the weight is drawn first.
  public func resetParameters(generator: Generator? = nil) {
    noGrad {
      kaimingUniform_(weight, a: 5.0.squareRoot(), generator: generator)
      if let bias {
        let fanIn = calculateFanInAndFanOut(weight).fanIn
        if fanIn != 0 {
          let bound = 1 / Double(fanIn).squareRoot()
          bias.uniform_(-bound, bound, generator: generator)
        }
      }
    }
  }

  /// The options of the op for this layer's input; messages name the layer.
  var options: ConvolutionOptions {
    ConvolutionOptions(
      stride: stride, padding: padding, dilation: dilation, groups: groups,
      spatialRank: kernelSize.count, op: typeName, transposed: transposed,
      outputPadding: outputPadding)
  }

  public override func forward(_ input: Tensor) -> Tensor {
    Tensor.op([input, weight] + (bias.map { [$0] } ?? [])) { () throws(OpError) in
      try convolution(input, weight, bias, options)
    }
  }

  /// PyTorch's `extra_repr`: padding, dilation, output padding, groups and bias only when
  /// they differ from the defaults.
  public override var extraRepr: String {
    var text =
      "\(inChannels), \(outChannels), kernel_size=\(tupleText(kernelSize)), stride=\(tupleText(stride))"
    switch padding.kind {
    case .explicit(let values) where values.contains(where: { $0 != 0 }):
      text += ", padding=\(tupleText(values))"
    case .same: text += ", padding=same"
    case .valid: text += ", padding=valid"
    default: break
    }
    if dilation.contains(where: { $0 != 1 }) { text += ", dilation=\(tupleText(dilation))" }
    if outputPadding.contains(where: { $0 != 0 }) {
      text += ", output_padding=\(tupleText(outputPadding))"
    }
    if groups != 1 { text += ", groups=\(groups)" }
    if bias == nil { text += ", bias=False" }
    if paddingMode != .zeros { text += ", padding_mode=\(paddingMode.rawValue)" }
    return text
  }
}

/// `nn.Conv2d`: a 2-D convolution of `[N, inChannels, H, W]` (or `[inChannels, H, W]`).
///
/// ```swift
/// let conv = Conv2d(1, 6, kernelSize: 5)                 // Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))
/// let wide = Conv2d(3, 8, kernelSize: [3, 5], padding: .same)
/// ```
public final class Conv2d: ConvolutionLayer {
  public init(
    _ inChannels: Int, _ outChannels: Int, kernelSize: any SpatialArgument,
    stride: any SpatialArgument = 1, padding: any ConvPadding = 0,
    dilation: any SpatialArgument = 1, groups: Int = 1, bias: Bool = true,
    paddingMode: PaddingMode = .zeros, dtype: DType = .float32, generator: Generator? = nil
  ) {
    super.init(
      inChannels, outChannels, kernelSize: kernelSize, stride: stride,
      padding: padding.paddingRule, dilation: dilation, outputPadding: 0, groups: groups,
      bias: bias, paddingMode: paddingMode, transposed: false, spatialRank: 2, name: "Conv2d",
      dtype: dtype, generator: generator)
  }
}

/// `nn.Conv1d`: a 1-D convolution of `[N, inChannels, L]` (or `[inChannels, L]`).
public final class Conv1d: ConvolutionLayer {
  public init(
    _ inChannels: Int, _ outChannels: Int, kernelSize: any SpatialArgument,
    stride: any SpatialArgument = 1, padding: any ConvPadding = 0,
    dilation: any SpatialArgument = 1, groups: Int = 1, bias: Bool = true,
    paddingMode: PaddingMode = .zeros, dtype: DType = .float32, generator: Generator? = nil
  ) {
    super.init(
      inChannels, outChannels, kernelSize: kernelSize, stride: stride,
      padding: padding.paddingRule, dilation: dilation, outputPadding: 0, groups: groups,
      bias: bias, paddingMode: paddingMode, transposed: false, spatialRank: 1, name: "Conv1d",
      dtype: dtype, generator: generator)
  }
}

/// `nn.ConvTranspose2d`: the adjoint of a 2-D convolution in its input, an upsampling of
/// `[N, inChannels, H, W]` to `[N, outChannels, (H − 1)·stride − 2·padding +
/// dilation·(kernel − 1) + outputPadding + 1, …]`.
public final class ConvTranspose2d: ConvolutionLayer {
  public init(
    _ inChannels: Int, _ outChannels: Int, kernelSize: any SpatialArgument,
    stride: any SpatialArgument = 1, padding: any SpatialArgument = 0,
    outputPadding: any SpatialArgument = 0, groups: Int = 1, bias: Bool = true,
    dilation: any SpatialArgument = 1, paddingMode: PaddingMode = .zeros,
    dtype: DType = .float32, generator: Generator? = nil
  ) {
    super.init(
      inChannels, outChannels, kernelSize: kernelSize, stride: stride,
      padding: PaddingRule(kind: .explicit(padding.spatialValues)), dilation: dilation,
      outputPadding: outputPadding, groups: groups, bias: bias, paddingMode: paddingMode,
      transposed: true, spatialRank: 2, name: "ConvTranspose2d", dtype: dtype,
      generator: generator)
  }
}
