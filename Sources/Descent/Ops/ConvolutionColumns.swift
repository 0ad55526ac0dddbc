import CDescentKernels

/// How a convolution turns one image into the columns of a GEMM operand `[C·kh·kw, width]`,
/// one column per window position, and how it adds columns back onto an image (col2im).
///
/// Three layouts, chosen from the window:
/// - pointwise (1×1 kernel, stride 1, no padding): the image itself, no copy;
/// - shifted (stride 1): over a zero-padded copy of the image whose rows are `rowWidth` apart,
///   the window of tap (i, j) at every position is one contiguous run of that copy, starting
///   i·dilation rows and j·dilation columns in. Each row of the columns is then one long copy
///   instead of one short copy per output row. Positions are laid out `rowWidth` per output
///   row, so the last `rowWidth − outW` columns of each output row are junk: outputs there
///   are dropped, and gradients are spread with zeros there so that they add nothing;
/// - unfolded (any other stride): im2col proper, `outH·outW` columns.
struct ColumnLayout {
  enum Kind { case pointwise, shifted, unfolded }

  let kind: Kind
  let window: Window2D
  let channels: Int
  /// Columns between the starts of two output rows.
  let rowWidth: Int
  /// Shifted: rows of the padded copy per channel (its plane is `paddedRows · rowWidth`).
  let paddedRows: Int

  init(_ shape: ConvolutionShape) {
    let w = shape.window
    window = w
    channels = shape.inChannels
    if w.isPointwise {
      (kind, rowWidth, paddedRows) = (.pointwise, w.outWidth, 0)
    } else if w.strideHeight == 1 && w.strideWidth == 1 {
      // Every read past a row's end must land on the next row's left padding, which is zero:
      // the row holds the left padding, the image and at least the right padding.
      let padRight =
        (w.outWidth - 1) + (w.kernelWidth - 1) * w.dilationWidth + 1 - w.width - w.padLeft
      kind = .shifted
      rowWidth = w.width + Swift.max(w.padLeft, padRight)
      // The rows the windows cover, and one more for the reads that spill past the last.
      paddedRows = w.outHeight + (w.kernelHeight - 1) * w.dilationHeight + 1
    } else {
      (kind, rowWidth, paddedRows) = (.unfolded, w.outWidth, 0)
    }
  }

  /// Columns per row of the operand.
  var width: Int { window.outHeight * rowWidth }
  /// True when a gradient `[O, outH·outW]` must be spread to `rowWidth` per output row.
  var spreads: Bool { rowWidth != window.outWidth }
  /// Elements of the scratch a worker needs for the columns and, shifted, the padded copy.
  var columnCount: Int { kind == .pointwise ? 0 : channels * window.kernelArea * width }
  /// Junk columns may read (and, adding back, write) up to a row and a kernel width past the
  /// last channel's plane: the copy has that much zero tail.
  var paddedCount: Int {
    guard kind == .shifted else { return 0 }
    return channels * paddedRows * rowWidth + rowWidth
      + (window.kernelWidth - 1) * window.dilationWidth
  }

  /// The columns of `image` `[C, H, W]`, written into `columns` (and `padded`) unless the
  /// image itself serves.
  func columns<T: FloatScalar>(
    of image: UnsafePointer<T>, columns: UnsafeMutablePointer<T>, padded: UnsafeMutablePointer<T>
  ) -> UnsafePointer<T> {
    switch kind {
    case .pointwise:
      return image
    case .unfolded:
      im2col(image, channels: channels, window, into: columns)
    case .shifted:
      pad(image, into: padded)
      let w = window
      let (plane, count) = (paddedRows * rowWidth, width)
      var row = columns
      for c in 0..<channels {
        for i in 0..<w.kernelHeight {
          for j in 0..<w.kernelWidth {
            let source = padded + c * plane + i * w.dilationHeight * rowWidth + j * w.dilationWidth
            for t in 0..<count { row[t] = source[t] }
            row += count
          }
        }
      }
    }
    return UnsafePointer(columns)
  }

  /// Writes `image` into the zero-padded copy `padded`.
  private func pad<T: FloatScalar>(_ image: UnsafePointer<T>, into padded: UnsafeMutablePointer<T>)
  {
    let w = window
    let plane = paddedRows * rowWidth
    padded.update(repeating: 0, count: paddedCount)
    // Rows and columns beyond the copy are never read (a transposed convolution's output
    // padding may cut them off).
    let rows = Swift.max(0, Swift.min(w.height, paddedRows - w.padTop))
    let columns = Swift.max(0, Swift.min(w.width, rowWidth - w.padLeft))
    for c in 0..<channels {
      for h in 0..<rows {
        let source = image + (c * w.height + h) * w.width
        let target = padded + c * plane + (h + w.padTop) * rowWidth + w.padLeft
        for x in 0..<columns { target[x] = source[x] }
      }
    }
  }

  /// Writes into `image` `[C, H, W]` the sum of the entries of `columns` over the pixels they
  /// were read from (col2im); `padded` is scratch. For the pointwise layout the columns were
  /// written into the image directly and nothing is left to do.
  func addColumns<T: FloatScalar>(
    _ columns: UnsafePointer<T>, into image: UnsafeMutablePointer<T>,
    padded: UnsafeMutablePointer<T>
  ) {
    switch kind {
    case .pointwise:
      return
    case .unfolded:
      image.update(repeating: 0, count: channels * window.plane)
      col2im(columns, channels: channels, window, into: image)
    case .shifted:
      let w = window
      let (plane, count) = (paddedRows * rowWidth, width)
      padded.update(repeating: 0, count: paddedCount)
      var row = columns
      for c in 0..<channels {
        for i in 0..<w.kernelHeight {
          for j in 0..<w.kernelWidth {
            let target = padded + c * plane + i * w.dilationHeight * rowWidth + j * w.dilationWidth
            for t in 0..<count { target[t] += row[t] }
            row += count
          }
        }
      }
      let rows = Swift.max(0, Swift.min(w.height, paddedRows - w.padTop))
      let columns = Swift.max(0, Swift.min(w.width, rowWidth - w.padLeft))
      image.update(repeating: 0, count: channels * w.plane)
      for c in 0..<channels {
        for h in 0..<rows {
          let source = padded + c * plane + (h + w.padTop) * rowWidth + w.padLeft
          let target = image + (c * w.height + h) * w.width
          for x in 0..<columns { target[x] = source[x] }
        }
      }
    }
  }

  /// The columns of `image` transposed, `[width, C·kh·kw]` (one row per window position), in
  /// `transposed`: the operand the weight's gradient reduces over positions with, which the GEMM
  /// packs by contiguous reads.
  func transposedColumns<T: FloatScalar>(
    of image: UnsafePointer<T>, columns: UnsafeMutablePointer<T>, padded: UnsafeMutablePointer<T>,
    into transposed: UnsafeMutablePointer<T>
  ) {
    let rows = channels * window.kernelArea
    let source = self.columns(of: image, columns: columns, padded: padded)
    transpose(rows, width, source, width, into: transposed, rows)
  }

  /// A gradient `[rows, outH·outW]` transposed to `[width, rows]`, zero at junk positions;
  /// `spread` is scratch of `rows · width`.
  func transposedGradient<T: FloatScalar>(
    _ gradient: UnsafePointer<T>, rows: Int, spread: UnsafeMutablePointer<T>,
    into transposed: UnsafeMutablePointer<T>
  ) {
    let source = self.spread(gradient, rows: rows, into: spread)
    transpose(rows, width, source, width, into: transposed, rows)
  }

  /// A gradient `[rows, outH·outW]` laid out with `rowWidth` columns per output row and zeros
  /// in the junk columns, in `spread`; the gradient itself when no spreading is needed.
  func spread<T: FloatScalar>(
    _ gradient: UnsafePointer<T>, rows: Int, into spread: UnsafeMutablePointer<T>
  ) -> UnsafePointer<T> {
    guard spreads else { return gradient }
    let (outHeight, outWidth) = (window.outHeight, window.outWidth)
    for r in 0..<rows {
      for oh in 0..<outHeight {
        let source = gradient + (r * outHeight + oh) * outWidth
        let target = spread + r * width + oh * rowWidth
        for ow in 0..<outWidth { target[ow] = source[ow] }
        for ow in outWidth..<rowWidth { target[ow] = 0 }
      }
    }
    return UnsafePointer(spread)
  }
}

/// `target[j·ldt + i] = source[i·lds + j]` for a `rows` × `columns` matrix (the C kernel).
@inline(__always)
func transpose<T: FloatScalar>(
  _ rows: Int, _ columns: Int, _ source: UnsafePointer<T>, _ lds: Int,
  into target: UnsafeMutablePointer<T>, _ ldt: Int
) {
  if T.self == Float.self {
    descent_stranspose(
      rows, columns, UnsafeRawPointer(source).assumingMemoryBound(to: Float.self), lds,
      UnsafeMutableRawPointer(target).assumingMemoryBound(to: Float.self), ldt)
  } else {
    descent_dtranspose(
      rows, columns, UnsafeRawPointer(source).assumingMemoryBound(to: Double.self), lds,
      UnsafeMutableRawPointer(target).assumingMemoryBound(to: Double.self), ldt)
  }
}
