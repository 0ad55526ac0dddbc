/// The checks of a convolution, in PyTorch's order and with its messages, and the sizes they
/// establish.

extension ConvolutionPlan {
  /// Checks a batched convolution (`input` has `spatialRank + 2` dimensions) and works out its
  /// sizes.
  init(_ input: Tensor, _ weight: Tensor, _ bias: Tensor?, _ options: ConvolutionOptions)
    throws(OpError)
  {
    let op = options.op
    let rank = options.spatialRank
    guard weight.rank == rank + 2 else {
      throw OpError(
        op,
        "Expected \(weight.rank)-dimensional input for \(weight.rank)-dimensional weight \(shapeText(weight.shape)), but got \(input.rank)-dimensional input of size \(shapeText(input.shape)) instead"
      )
    }
    guard input.dtype.isFloatingPoint, input.dtype == weight.dtype else {
      throw OpError(
        op,
        "Input type (\(tensorTypeName(input.dtype))) and weight type (\(tensorTypeName(weight.dtype))) should be the same; convolutions compute in float32 or float64 (input \(shapeText(input.shape)), weight \(shapeText(weight.shape)))"
      )
    }
    if let bias, bias.dtype != input.dtype {
      throw OpError(
        op,
        "Input type (\(scalarTypeName(input.dtype))) and bias type (\(scalarTypeName(bias.dtype))) should be the same (bias \(shapeText(bias.shape)))"
      )
    }
    let stride = try spatialValues(options.stride, count: rank, name: "stride", op: op)
    let dilation = try spatialValues(options.dilation, count: rank, name: "dilation", op: op)
    var before = [Int](repeating: 0, count: rank)
    var after = before
    let kernel = Array(weight.shape.dropFirst(2))
    switch options.padding.kind {
    case .explicit(let values):
      before = try spatialValues(values, count: rank, name: "padding", op: op)
      after = before
    case .valid:
      break
    case .same:
      guard stride.allSatisfy({ $0 == 1 }) else {
        throw OpError(op, "padding='same' is not supported for strided convolutions")
      }
      // An odd total puts the extra element after, as PyTorch does.
      for d in 0..<rank {
        let total = dilation[d] * (kernel[d] - 1)
        before[d] = total / 2
        after[d] = total - before[d]
      }
    }
    let outputPadding =
      options.transposed
      ? try spatialValues(options.outputPadding, count: rank, name: "output_padding", op: op)
      : [Int](repeating: 0, count: rank)
    guard stride.allSatisfy({ $0 > 0 }) else {
      throw OpError(op, "non-positive stride is not supported (stride \(shapeText(stride)))")
    }
    guard before.allSatisfy({ $0 >= 0 }), outputPadding.allSatisfy({ $0 >= 0 }) else {
      throw OpError(op, "negative padding is not supported (padding \(shapeText(before)))")
    }
    guard dilation.allSatisfy({ $0 > 0 }) else {
      throw OpError(op, "non-positive dilation is not supported (dilation \(shapeText(dilation)))")
    }
    let groups = options.groups
    guard groups > 0 else {
      throw OpError(op, "non-positive groups is not supported (groups=\(groups))")
    }
    guard weight.shape[0] >= groups, weight.shape[0] % groups == 0 else {
      let what =
        groups == 1
        ? "to be at least 1 at dimension 0" : "to be divisible by \(groups) at dimension 0"
      let size = groups == 1 ? shapeText(weight.shape) : "[\(shapeText(weight.shape))]"
      throw OpError(
        op,
        "Given groups=\(groups), expected weight \(what), but got weight of size \(size) instead")
    }
    let expectedChannels = options.transposed ? weight.shape[0] : weight.shape[1] * groups
    guard input.shape[1] == expectedChannels else {
      let given = options.transposed ? "transposed=1" : "groups=\(groups)"
      throw OpError(
        op,
        "Given \(given), weight of size \(shapeText(weight.shape)), expected input\(shapeText(input.shape)) to have \(expectedChannels) channels, but got \(input.shape[1]) channels instead"
      )
    }
    let outChannels = options.transposed ? weight.shape[1] * groups : weight.shape[0]
    if let bias, bias.shape != [outChannels] {
      throw OpError(
        op,
        "Given \(options.transposed ? "transposed=1, " : "")weight of size \(shapeText(weight.shape)), expected bias to be 1-dimensional with \(outChannels) elements, but got bias of size \(shapeText(bias.shape)) instead"
      )
    }
    let sizes = Array(input.shape.dropFirst(2))
    let extent = (0..<rank).map { dilation[$0] * (kernel[$0] - 1) + 1 }
    func joined(_ values: [Int]) -> String { values.map(String.init).joined(separator: " x ") }
    var outSizes: [Int]
    if options.transposed {
      guard
        (0..<rank).allSatisfy({ outputPadding[$0] < stride[$0] || outputPadding[$0] < dilation[$0] }
        )
      else {
        let names = rank == 1 ? [""] : ["_height", "_width"]
        func list(_ label: String, _ values: [Int]) -> String {
          (0..<rank).map { "\(label)\(names[$0]): \(values[$0])" }.joined(separator: " ")
        }
        throw OpError(
          op,
          "output padding must be smaller than either stride or dilation, but got \(list("output_padding", outputPadding)) \(list("stride", stride)) \(list("dilation", dilation))"
        )
      }
      outSizes = (0..<rank).map {
        (sizes[$0] - 1) * stride[$0] - 2 * before[$0] + extent[$0] + outputPadding[$0]
      }
      guard outSizes.allSatisfy({ $0 > 0 }) else {
        throw OpError(
          op,
          "Given input size per channel: (\(joined(sizes))). Calculated output size per channel: (\(joined(outSizes))). Output size is too small"
        )
      }
    } else {
      let padded = (0..<rank).map { sizes[$0] + before[$0] + after[$0] }
      guard (0..<rank).allSatisfy({ padded[$0] >= extent[$0] }) else {
        throw OpError(
          op,
          "Calculated padded input size per channel: (\(joined(padded))). Kernel size: (\(joined(extent))). Kernel size can't be greater than actual input size"
        )
      }
      outSizes = (0..<rank).map {
        Window2D.positions(
          sizes[$0], kernel: kernel[$0], stride: stride[$0], padding: before[$0] + after[$0],
          dilation: dilation[$0])
      }
    }
    // The kernels see two spatial dimensions: a 1-D convolution is one of height 1. The image
    // they slide over is the input's, or for a transposed convolution its output's.
    func pair(_ values: [Int], _ fill: Int) -> [Int] { rank == 1 ? [fill] + values : values }
    let image = pair(options.transposed ? outSizes : sizes, 1)
    let positions = pair(options.transposed ? sizes : outSizes, 1)
    let (k, s, p, d) = (pair(kernel, 1), pair(stride, 1), pair(before, 0), pair(dilation, 1))
    let window = Window2D(
      height: image[0], width: image[1], kernelHeight: k[0], kernelWidth: k[1],
      strideHeight: s[0], strideWidth: s[1], padTop: p[0], padLeft: p[1],
      dilationHeight: d[0], dilationWidth: d[1], outHeight: positions[0],
      outWidth: positions[1])
    let batch = input.shape[0]
    shape = ConvolutionShape(
      batch: batch,
      inChannels: options.transposed ? outChannels : input.shape[1],
      outChannels: options.transposed ? input.shape[1] : outChannels, groups: groups,
      window: window)
    transposed = options.transposed
    spatialRank = rank
    inputShape = input.shape
    weightShape = weight.shape
    outputShape = [batch, outChannels] + outSizes
  }
}

/// PyTorch's name of a CPU tensor type in messages: `torch.FloatTensor`.
func tensorTypeName(_ dtype: DType) -> String {
  switch dtype {
  case .float32: return "torch.FloatTensor"
  case .float64: return "torch.DoubleTensor"
  case .int64: return "torch.LongTensor"
  case .bool: return "torch.BoolTensor"
  }
}

/// PyTorch's name of a scalar type in messages: `float`, `double`.
func scalarTypeName(_ dtype: DType) -> String {
  switch dtype {
  case .float32: return "float"
  case .float64: return "double"
  case .int64: return "long int"
  case .bool: return "bool"
  }
}
