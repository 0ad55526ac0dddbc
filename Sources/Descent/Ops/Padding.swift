/// `pad` with a constant (`F.pad(input, pad, mode='constant', value=…)`): pads the last
/// dimensions, or crops them with negative amounts. Its backward is the opposite pad, so a
/// gradient made of pads is differentiable again.

/// `input` padded with `value`: `pad` lists (before, after) amounts from the last dimension
/// backwards, `[left, right, top, bottom, …]` as in PyTorch; negative amounts crop.
public func pad(_ input: Tensor, _ pad: [Int], value: Double = 0) -> Tensor {
  Tensor.op(input) { () throws(OpError) in
    guard pad.count % 2 == 0 else {
      throw OpError(
        "pad",
        "Padding length must be divisible by 2 (pad \(shapeText(pad)), input \(shapeText(input.shape)))"
      )
    }
    guard pad.count / 2 <= input.rank else {
      throw OpError(
        "pad",
        "Padding length should be less than or equal to two times the input dimension but got padding length \(pad.count) and input of dimension \(input.rank) (shape \(shapeText(input.shape)))"
      )
    }
    var outShape = input.shape
    // Where the kept part of the input starts in the input and in the output, and its size.
    var sourceStart = [Int](repeating: 0, count: input.rank)
    var targetStart = sourceStart
    var kept = input.shape
    for pair in 0..<(pad.count / 2) {
      let axis = input.rank - 1 - pair
      let (before, after) = (pad[2 * pair], pad[2 * pair + 1])
      outShape[axis] = input.shape[axis] + before + after
      guard outShape[axis] >= 0 else {
        throw OpError(
          "pad",
          "narrow(): length must be non-negative. (dimension \(axis) of size \(input.shape[axis]) padded by \(before) and \(after); input \(shapeText(input.shape)))"
        )
      }
      sourceStart[axis] = Swift.max(0, -before)
      targetStart[axis] = Swift.max(0, before)
      kept[axis] = Swift.max(
        0, Swift.min(input.shape[axis], input.shape[axis] + after) - sourceStart[axis])
    }
    let out = Tensor.full(outShape, value, dtype: input.dtype)
    if kept.allSatisfy({ $0 > 0 }) {
      let source = input.aliasing(
        shape: kept, strides: input.strides,
        offset: input.storageOffset + zip(sourceStart, input.strides).map(*).reduce(0, +))
      let target = out.aliasing(
        shape: kept, strides: out.strides,
        offset: zip(targetStart, out.strides).map(*).reduce(0, +))
      target.writeElements(source)
    }
    if input.dtype.isFloatingPoint {
      let opposite = pad.map { -$0 }
      record("ConstantPadNdBackward0", out, input) { g in Descent.pad(g, opposite) }
    }
    return out
  }
}
