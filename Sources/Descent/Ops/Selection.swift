/// Choosing between values elementwise: `where`, `maximum`, `minimum`.
extension Tensor {
  /// Elementwise maximum with broadcasting (`torch.maximum`); on ties the gradient is split
  /// evenly, as in PyTorch.
  public func maximum(_ other: Tensor) -> Tensor {
    Tensor.op(self, other) { () throws(OpError) in
      let out = try Tensor.arithmetic(self, other, MaximumKernel(), op: "maximum")
      recordMinMax("MaximumBackward0", out, other, prefersSelf: gt(other))
      return out
    }
  }

  /// Elementwise minimum with broadcasting (`torch.minimum`).
  public func minimum(_ other: Tensor) -> Tensor {
    Tensor.op(self, other) { () throws(OpError) in
      let out = try Tensor.arithmetic(self, other, MinimumKernel(), op: "minimum")
      recordMinMax("MinimumBackward0", out, other, prefersSelf: lt(other))
      return out
    }
  }

  private func recordMinMax(_ name: String, _ out: Tensor, _ other: Tensor, prefersSelf: Tensor) {
    guard requiresGradFlag || other.requiresGradFlag else { return }
    let tie = eq(other)
    record(name, out, self, other) { [self] g in
      // Selects, not products with a 0/½/1 mask, so that an infinite gradient gives 0 (not
      // NaN) to the side that was not chosen.
      let zero = Tensor.zeros([], dtype: g.dtype)
      let halves = Tensor.where(tie, g * 0.5, zero)
      let otherWins = prefersSelf.logicalOr(tie).logicalNot()
      return (
        Tensor.unbroadcast(Tensor.where(prefersSelf, g, halves), to: self),
        Tensor.unbroadcast(Tensor.where(otherWins, g, halves), to: other)
      )
    }
  }

  /// Picks from `a` where the bool `condition` is true, else from `b`, with broadcasting
  /// (`torch.where`).
  public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
    op([condition, a, b]) { () throws(OpError) in
      guard condition.dtype == .bool else {
        throw OpError(
          "where",
          "where expected condition to be a boolean tensor, but got a tensor with dtype \(condition.dtype.scalarTypeName) (condition \(shapeText(condition.shape))). Compare first (condition.ne(0)) or convert with to(.bool)."
        )
      }
      let type = resultType(a, b)
      let shape = try broadcastShapes(
        try broadcastShapes(condition.shape, a.shape, op: "where"), b.shape, op: "where")
      let mask = condition.expand(shape).dense()
      let picks = mask.pointer(Bool.self)
      // The first operand broadcast to the result, then the second written where the mask is
      // false.
      let out = Tensor(uninitializedShape: shape, dtype: type)
      out.writeElements(a.converted(to: type))
      let second = b.converted(to: type).expand(shape).dense()
      type.dispatchBits(MaskedOverwrite(target: out, source: second, keep: picks))
      record("WhereBackward0", out, a, b) { g in
        let zeros = Tensor.zeros([], dtype: g.dtype)
        return (
          a.requiresGradFlag ? Tensor.unbroadcast(Tensor.where(mask, g, zeros), to: a) : nil,
          b.requiresGradFlag ? Tensor.unbroadcast(Tensor.where(mask, zeros, g), to: b) : nil
        )
      }
      return out
    }
  }
}

/// Writes `source`'s elements into `target` where `keep` is false, by their bits.
private struct MaskedOverwrite: BitsRoutine {
  let target: Tensor
  let source: Tensor
  let keep: UnsafeMutablePointer<Bool>
  func run<Bits: FixedWidthInteger>(_: Bits.Type) {
    let to = target.pointer(Bits.self)
    let from = source.pointer(Bits.self)
    for i in 0..<target.count where !keep[i] { to[i] = from[i] }
  }
}
