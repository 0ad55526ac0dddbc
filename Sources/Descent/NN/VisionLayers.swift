/// Layers that reshape, resize or drop whole channels of images: `Dropout2d`, `Upsample` and
/// `Unflatten`.

/// `nn.Dropout2d`: zeroes whole channels of `[N, C, H, W]` with probability `p` while training.
public final class Dropout2d: Module {
  public let p: Double

  public init(p: Double = 0.5) {
    guard p >= 0 && p <= 1 else {
      opFailure("Dropout2d", "dropout probability has to be between 0 and 1, but got \(p)")
    }
    self.p = p
    super.init()
  }

  public override func forward(_ input: Tensor) -> Tensor {
    Tensor.op(input) { () throws(OpError) in
      try featureDropout(input, p: p, training: training, generator: nil, op: typeName)
    }
  }

  public override var extraRepr: String { "p=\(pythonNumber(p)), inplace=False" }
}

/// `nn.Upsample`: resizes `[N, C, L]` or `[N, C, H, W]` by `scaleFactor`, or to `size`.
public final class Upsample: Module {
  public let size: (any SpatialArgument)?
  public let scaleFactor: Double?
  public let mode: InterpolationMode

  /// Upsampling by `scaleFactor` (output size ⌊size·factor⌋).
  public init(scaleFactor: Double, mode: InterpolationMode = .nearest) {
    self.size = nil
    self.scaleFactor = scaleFactor
    self.mode = mode
    super.init()
  }

  /// Resizing to `size`: one `Int` for every spatial dimension or one per dimension.
  public init(size: any SpatialArgument, mode: InterpolationMode = .nearest) {
    self.size = size
    self.scaleFactor = nil
    self.mode = mode
    super.init()
  }

  public override func forward(_ input: Tensor) -> Tensor {
    Tensor.op(input) { () throws(OpError) in
      try nearestInterpolation(
        input, size: size?.spatialValues, scaleFactor: scaleFactor, op: typeName)
    }
  }

  public override var extraRepr: String {
    let what: String
    if let scaleFactor {
      what = "scale_factor=\(pythonNumber(scaleFactor))"
    } else {
      let values = size!.spatialValues
      // PyTorch stores a list size as a tuple.
      what = "size=\(values.count == 1 && size is Int ? String(values[0]) : tupleText(values))"
    }
    return "\(what), mode='\(mode.rawValue)'"
  }
}

/// `nn.Unflatten`: splits dimension `dim` into `unflattenedSize` (the inverse of `Flatten`);
/// one size may be -1.
public final class Unflatten: Module {
  public let dim: Int
  public let unflattenedSize: [Int]

  public init(dim: Int, unflattenedSize: [Int]) {
    self.dim = dim
    self.unflattenedSize = unflattenedSize
    super.init()
  }

  public override func forward(_ input: Tensor) -> Tensor {
    Tensor.op(input) { () throws(OpError) in
      let axis = try input.normalizedDim(dim, op: "unflatten")
      let known = unflattenedSize.filter { $0 != -1 }.reduce(1, *)
      let unknowns = unflattenedSize.filter { $0 == -1 }.count
      let size = input.shape[axis]
      guard unknowns <= 1, known != 0 || size == 0,
        unknowns == 1 ? size % Swift.max(known, 1) == 0 : known == size
      else {
        throw OpError(
          "unflatten",
          "Provided sizes \(shapeText(unflattenedSize)) don't multiply up to the size of dim \(dim) (\(size)) in the input tensor (shape \(shapeText(input.shape)))"
        )
      }
      let shape = Array(input.shape[..<axis]) + unflattenedSize + Array(input.shape[(axis + 1)...])
      return input.reshaped(shape)
    }
  }

  public override var extraRepr: String {
    "dim=\(dim), unflattened_size=\(tupleText(unflattenedSize))"
  }
}
