/// `maskedFill`: a value written where a bool mask is true (attention masks, padding), out of
/// place and in place, beside its backward.
extension Tensor {
  /// This tensor with `value` wherever `mask` is true (`masked_fill`). The mask is a bool
  /// tensor that broadcasts with this one (the result takes the broadcast shape); the value is
  /// converted to this tensor's dtype (an int64 tensor truncates 2.7 to 2, as PyTorch does).
  /// The gradient is zero where the mask is true (`MaskedFillBackward0`).
  public func maskedFill(_ mask: Tensor, _ value: Double) -> Tensor {
    Tensor.op(self, mask) { () throws(OpError) in
      let out = try filled(mask, with: Tensor(shape: [], scalars: [value], dtype: dtype))
      let inputShape = shape
      record("MaskedFillBackward0", out, self) { g in
        g.maskedFill(mask, 0).sumTo(inputShape)
      }
      return out
    }
  }

  /// This tensor with the value of the 0-d tensor `value` wherever `mask` is true
  /// (`masked_fill` with a tensor value). The value gets a gradient too: the sum of the
  /// output's gradient over the filled positions (`MaskedFillBackward1`).
  public func maskedFill(_ mask: Tensor, _ value: Tensor) -> Tensor {
    Tensor.op([self, mask, value]) { () throws(OpError) in
      guard value.rank == 0 else {
        throw OpError(
          "masked_fill",
          "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with \(value.rank) dimension(s). (self \(shapeText(shape)), mask \(shapeText(mask.shape)), value \(shapeText(value.shape)))"
        )
      }
      let out = try filled(mask, with: value.converted(to: dtype))
      let inputShape = shape
      record("MaskedFillBackward1", out, self, value) { [self] g in
        let zero = Tensor.zeros([], dtype: g.dtype)
        let valueGradient = Tensor.where(mask, g, zero).sum()
        return (
          requiresGradFlag ? g.maskedFill(mask, 0).sumTo(inputShape) : nil,
          value.requiresGradFlag ? valueGradient.to(value.dtype) : nil
        )
      }
      return out
    }
  }

  /// Writes `value` wherever `mask` is true, in place (`masked_fill_`). The mask must
  /// broadcast to this tensor's shape.
  @discardableResult
  public func maskedFill_(_ mask: Tensor, _ value: Double) -> Tensor {
    Tensor.op(self, mask) { () throws(OpError) in
      try checkInPlaceWrite("masked_fill_")
      try checkBroadcastsInto(mask, op: "masked_fill_", role: "mask")
      if GradMode.isEnabled && requiresGradFlag {
        try adopt(maskedFill(mask, value))
      } else {
        try requireBoolMask(mask)
        writeMasked(mask, Tensor(shape: [], scalars: [value], dtype: dtype))
        storage.version += 1
      }
      return self
    }
  }

  private func requireBoolMask(_ mask: Tensor) throws(OpError) {
    guard mask.dtype == .bool else {
      throw OpError(
        "masked_fill",
        "masked_fill_ only supports boolean masks, but got mask with dtype \(mask.dtype.cTypeName) (self \(shapeText(shape)), mask \(shapeText(mask.shape))). Compare first (mask.ne(0)) or convert with to(.bool)."
      )
    }
  }

  /// A copy broadcast with `mask`, with the 0-d `value` (of this dtype) where it is true.
  private func filled(_ mask: Tensor, with value: Tensor) throws(OpError) -> Tensor {
    try requireBoolMask(mask)
    let shape = try broadcastShapes(self.shape, mask.shape, op: "masked_fill")
    let out = Tensor(uninitializedShape: shape, dtype: dtype)
    out.writeElements(self)
    out.writeMasked(mask, value)
    return out
  }

  /// Writes the 0-d `value` (of this dtype) where the bool `mask`, broadcast to this tensor's
  /// shape, is true. No checks, no version bump.
  func writeMasked(_ mask: Tensor, _ value: Tensor) {
    let target = isContiguous ? self : dense()
    let flags: Tensor
    if mask.isContiguous && isRowBlock(mask.shape, of: shape) {
      // A [T, T] attention mask against [B, H, T, T] scores: read it as the repeating row it
      // is, without materialising the broadcast.
      flags = mask
    } else {
      flags = mask.aliasing(
        shape: shape, strides: broadcastStrides(shape: mask.shape, strides: mask.strides, to: shape)
      ).dense()
    }
    dtype.dispatchBits(MaskedScalarWrite(target: target, flags: flags, value: value))
    if target !== self { writeElements(target) }
  }
}

/// Writes one value's bits into a dense target wherever a dense bool mask (the target's size,
/// or a block that repeats over it) is true.
private struct MaskedScalarWrite: BitsRoutine {
  let target: Tensor
  let flags: Tensor
  let value: Tensor
  func run<Bits: FixedWidthInteger>(_: Bits.Type) {
    let to = target.pointer(Bits.self)
    let fill = value.pointer(Bits.self)[0]
    let keep = flags.pointer(Bool.self)
    let (n, m) = (target.count, flags.count)
    guard m > 0 else { return }
    if m == n {
      for i in 0..<n where keep[i] { to[i] = fill }
      return
    }
    for row in stride(from: 0, to: n, by: m) {
      for j in 0..<m where keep[j] { to[row + j] = fill }
    }
  }
}
