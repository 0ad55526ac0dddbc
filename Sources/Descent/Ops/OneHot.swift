/// `oneHot`: class indices to one-hot rows (`torch.nn.functional.one_hot`).

/// One-hot rows for the int64 class indices in `tensor`: the result has the input's shape
/// plus a last dimension of `numClasses`, int64, with a 1 at each index and 0 elsewhere
/// (`F.one_hot`). `numClasses` -1 takes one more than the largest index. Not differentiable.
public func oneHot(_ tensor: Tensor, numClasses: Int = -1) -> Tensor {
  Tensor.op(tensor) { () throws(OpError) in
    let op = "one_hot"
    guard tensor.dtype == .int64 else {
      throw OpError(
        op,
        "one_hot is only applicable to index tensor of type LongTensor. Got \(tensor.dtype) (shape \(shapeText(tensor.shape))); convert with to(.int64)."
      )
    }
    let indices = tensor.toArray(as: Int64.self)
    var classes = numClasses
    if numClasses == -1 {
      guard let largest = indices.max() else {
        throw OpError(
          op,
          "Can not infer total number of classes from empty tensor. Pass numClasses (shape \(shapeText(tensor.shape)))."
        )
      }
      classes = Int(largest) + 1
    }
    if let smallest = indices.min(), smallest < 0 {
      throw OpError(
        op,
        "Class values must be non-negative. Found \(smallest) (shape \(shapeText(tensor.shape)))."
      )
    }
    if let largest = indices.max(), largest >= classes {
      throw OpError(
        op,
        "Class values must be smaller than num_classes. Found \(largest) with num_classes \(classes) (shape \(shapeText(tensor.shape)))."
      )
    }
    guard classes >= 0 else {
      throw OpError(
        op, "Class values must be smaller than num_classes. Got num_classes \(classes).")
    }
    let out = Tensor.zeros(tensor.shape + [classes], dtype: .int64)
    let rows = out.pointer(Int64.self)
    for (row, index) in indices.enumerated() { rows[row * classes + Int(index)] = 1 }
    return out
  }
}
