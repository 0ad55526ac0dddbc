/// `softmax`, `logSoftmax` and `logsumexp`, computed with the maximum subtracted first so that
/// large inputs never overflow.
extension Tensor {
  /// Normalised exponentials along `dim`: each slice sums to 1 (`softmax`).
  public func softmax(dim: Int) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      let axis = try floatAxis(dim, op: "softmax")
      let out = noGrad { () -> Tensor in
        let shifted = self - rawExtremeOrZero(axis)
        let e = shifted.exp()
        return e / sumKeepingDim(e, axis)
      }
      let result = SavedTensor(output: out, op: "SoftmaxBackward0")
      record("SoftmaxBackward0", out, self) { g in
        // dx = y · (g − Σ g·y)
        let y = result.value
        return y * (g - sumKeepingDim(g * y, axis))
      }
      return out
    }
  }

  /// Log of `softmax` along `dim`, computed stably (`log_softmax`).
  public func logSoftmax(dim: Int) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      let axis = try floatAxis(dim, op: "log_softmax")
      let out = noGrad { () -> Tensor in
        let shifted = self - rawExtremeOrZero(axis)
        return shifted - sumKeepingDim(shifted.exp(), axis).log()
      }
      let result = SavedTensor(output: out, op: "LogSoftmaxBackward0")
      record("LogSoftmaxBackward0", out, self) { g in
        // dx = g − softmax · Σ g
        g - result.value.exp() * sumKeepingDim(g, axis)
      }
      return out
    }
  }

  /// log Σ exp(x) along `dim`, computed stably (`logsumexp`).
  public func logsumexp(dim: Int, keepDim: Bool = false) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      let axis = try floatAxis(dim, op: "logsumexp")
      let kept = noGrad { () -> Tensor in
        let top = rawExtremeOrZero(axis)
        return sumKeepingDim((self - top).exp(), axis).log() + top
      }
      let out = keepDim ? kept : kept.squeeze(axis)
      let input = SavedTensor(self, op: "LogsumexpBackward0")
      let result = SavedTensor(output: out, op: "LogsumexpBackward0")
      let keptShape = keepDim || rank == 0
      record("LogsumexpBackward0", out, self) { g in
        // d/dx logsumexp = softmax(x) = exp(x − logsumexp(x))
        let gk = keptShape ? g : g.unsqueeze(axis)
        let total = keptShape ? result.value : result.value.unsqueeze(axis)
        return gk * (input.value - total).exp()
      }
      return out
    }
  }

  /// The axis `dim` names, for an op that takes only floating-point tensors.
  private func floatAxis(_ dim: Int, op: String) throws(OpError) -> Int {
    try requireFloat(op)
    return try normalizedDim(dim, op: op)
  }

  /// The maximum along `axis` (kept as size 1), with infinities replaced by 0 so that a slice
  /// of all −inf gives NaN-free shifts, as PyTorch's kernels do.
  private func rawExtremeOrZero(_ axis: Int) -> Tensor {
    // A 0-d tensor is its own maximum: shifting by it keeps exp(x) from overflowing.
    if rank == 0 {
      return Tensor.where(abs().eq(Double.infinity), Tensor.zeros([], dtype: dtype), self)
    }
    if shape[axis] == 0 {
      var kept = shape
      kept[axis] = 1
      return Tensor.zeros(kept, dtype: dtype)
    }
    // The axis has elements (checked above), so the extreme exists.
    let top = try! rawExtreme(axis: axis, keepDim: true, largest: true, op: "softmax").0
    return Tensor.where(top.abs().eq(Double.infinity), Tensor.zeros([], dtype: dtype), top)
  }
}

/// The sum along `axis`, kept as size 1; a 0-d tensor is its own sum (PyTorch lets dim 0 or -1
/// name the single element of a 0-d tensor).
private func sumKeepingDim(_ t: Tensor, _ axis: Int) -> Tensor {
  t.rank == 0 ? t : t.sum(dim: axis, keepDim: true)
}
