#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Random tensors and in-place random fills, drawing PyTorch's numbers from a `Generator`.
///
/// The arithmetic follows PyTorch's x86 CPU kernels as its AVX2/AVX512 builds compile them:
/// `a * b + c` in the kernels is contracted to one fused multiply-add, so the same happens here
/// (`addingProduct`); float `randn`/`normal_` of 16 or more contiguous elements uses the
/// single-precision Cephes `log` and `sincos` of PyTorch's `avx_mathfun.h`, ported below.
extension Tensor {
  /// Uniform values in `[0, 1)`, like `torch.rand`, drawn from `generator` (by default
  /// `defaultGenerator`).
  public static func rand(
    _ shape: [Int], dtype: DType = .float32, generator: Generator? = nil,
    requiresGrad: Bool = false
  ) -> Tensor {
    random("rand", shape, dtype, requiresGrad: requiresGrad) {
      $0.fillUniform(0, 1, generator ?? defaultGenerator)
    }
  }

  /// Standard normal values, like `torch.randn`, drawn from `generator` (by default
  /// `defaultGenerator`).
  public static func randn(
    _ shape: [Int], dtype: DType = .float32, generator: Generator? = nil,
    requiresGrad: Bool = false
  ) -> Tensor {
    random("randn", shape, dtype, requiresGrad: requiresGrad) {
      $0.fillNormal(0, 1, generator ?? defaultGenerator)
    }
  }

  /// A new float tensor of `shape` filled by `fill`, a leaf that requires grad if asked.
  private static func random(
    _ op: String, _ shape: [Int], _ dtype: DType, requiresGrad: Bool, fill: (Tensor) -> Void
  ) -> Tensor {
    let out = randomOutput(op, shape, dtype)
    fill(out)
    if requiresGrad { out.requiresGrad = true }
    return out
  }

  /// Uniform int64 integers in `low..<high`, like `torch.randint(low, high, shape)`.
  public static func randint(
    _ low: Int, _ high: Int, _ shape: [Int], generator: Generator? = nil
  ) -> Tensor {
    checkShape("randint", shape)
    guard low < high else {
      opFailure(
        "randint", "random_ expects 'from' to be less than 'to', but got from=\(low) >= to=\(high)")
    }
    let out = Tensor(uninitializedShape: shape, dtype: .int64)
    // Wrapping arithmetic, as in PyTorch: the range of the full Int64 span still fits UInt64.
    let range = UInt64(bitPattern: Int64(high)) &- UInt64(bitPattern: Int64(low))
    let base = UInt64(bitPattern: Int64(low))
    let target = out.pointer(Int64.self)
    let n = out.count
    (generator ?? defaultGenerator).withState { state in
      // Ranges below 2^32 use one 32-bit draw per value; wider ones use 64 bits.
      if range >= 1 << 32 {
        for i in 0..<n { target[i] = Int64(bitPattern: state.nextUInt64() % range &+ base) }
      } else {
        for i in 0..<n {
          target[i] = Int64(bitPattern: UInt64(state.nextUInt32()) % range &+ base)
        }
      }
    }
    return out
  }

  /// Uniform int64 integers in `0..<high`, like `torch.randint(high, shape)`.
  public static func randint(_ high: Int, _ shape: [Int], generator: Generator? = nil) -> Tensor {
    randint(0, high, shape, generator: generator)
  }

  /// A random permutation of `0..<n` (int64), like `torch.randperm(n)`.
  public static func randperm(_ n: Int, generator: Generator? = nil) -> Tensor {
    guard n >= 0 else { opFailure("randperm", "n must be non-negative, got \(n)") }
    let out = Tensor(uninitializedShape: [n], dtype: .int64)
    let p = out.pointer(Int64.self)
    (generator ?? defaultGenerator).withState { state in
      if n < Int(UInt32.max / 20) {
        // PyTorch's small-n shuffle: swap position i with a 32-bit draw mod (n - i) past it.
        for i in 0..<n { p[i] = Int64(i) }
        for i in 0..<Swift.max(n - 1, 0) {
          let z = Int(state.nextUInt32()) % (n - i)
          let saved = p[i]
          p[i] = p[z + i]
          p[z + i] = saved
        }
      } else {
        // Inside-out Fisher–Yates with 64-bit draws, where 32 bits would skew the modulo.
        for i in 0..<n {
          let z = Int(state.nextUInt64() % UInt64(i + 1))
          p[i] = p[z]
          p[z] = Int64(i)
        }
      }
    }
    return out
  }

  /// Fills with uniform values in `[from, to)` in place, like `uniform_`; returns self.
  ///
  /// A non-contiguous tensor is filled in storage order (as PyTorch's kernel walks it) through a
  /// contiguous temporary.
  @discardableResult
  public func uniform_(_ from: Double = 0, _ to: Double = 1, generator: Generator? = nil)
    -> Tensor
  {
    checkInPlaceFill("uniform_")
    let limit =
      dtype == .float32 ? Double(Float.greatestFiniteMagnitude) : Double.greatestFiniteMagnitude
    for (name, value) in [("from", from), ("to", to)] where !(value.magnitude <= limit) {
      opFailure("uniform_", "\(name) is out of bounds for \(dtype) (got \(value))")
    }
    guard from <= to else {
      opFailure(
        "uniform_",
        "uniform_ expects to return a [from, to) range, but found from=\(from) > to=\(to)")
    }
    guard to - from <= limit else {
      opFailure(
        "uniform_",
        "uniform_ expects to-from <= \(limit) for \(dtype), but found to=\(to) and from=\(from) which result in to-from to exceed the limit"
      )
    }
    fillInStorageOrder { $0.fillUniform(from, to, generator ?? defaultGenerator) }
    return self
  }

  /// Fills with normal values of the given mean and standard deviation in place, like
  /// `normal_`; returns self.
  ///
  /// A non-contiguous tensor is filled element by element in storage order, as PyTorch does
  /// (its 16-at-a-time Box–Muller path is for contiguous tensors only).
  @discardableResult
  public func normal_(mean: Double = 0, std: Double = 1, generator: Generator? = nil) -> Tensor {
    checkInPlaceFill("normal_")
    guard std >= 0 else { opFailure("normal_", "normal expects std >= 0.0, but found std \(std)") }
    let contiguous = isContiguous
    fillInStorageOrder {
      $0.fillNormal(mean, std, generator ?? defaultGenerator, vectorPath: contiguous)
    }
    return self
  }
}

extension Tensor {
  fileprivate static func checkShape(_ op: String, _ shape: [Int]) {
    for size in shape where size < 0 {
      opFailure(op, "Trying to create tensor with negative dimension \(size): \(shapeText(shape))")
    }
  }

  fileprivate static func randomOutput(_ op: String, _ shape: [Int], _ dtype: DType) -> Tensor {
    checkShape(op, shape)
    guard dtype.isFloatingPoint else {
      opFailure(
        op,
        "\(op) needs a floating-point dtype (float32 or float64) but got \(dtype); use randint for integers"
      )
    }
    return Tensor(uninitializedShape: shape, dtype: dtype)
  }

  /// The checks PyTorch makes before writing into a tensor in place.
  fileprivate func checkInPlaceFill(_ op: String) {
    guard dtype.isFloatingPoint else {
      opFailure(
        op,
        "\(op) fills floating-point tensors only, but this tensor is \(dtype) of shape \(shapeText(shape))"
      )
    }
    if GradMode.isEnabled && requiresGradFlag {
      if isLeaf {
        opFailure(
          op,
          "a leaf Variable that requires grad is being used in an in-place operation. Fill it inside noGrad { } (as weight initialisation does)."
        )
      }
      opFailure(
        op,
        "in-place random fill of a tensor recorded in the autograd graph (made by \(gradFn!.name)) is not supported; detach() it or fill inside noGrad { }"
      )
    }
    for axis in 0..<rank where strides[axis] == 0 && shape[axis] > 1 {
      opFailure(
        op,
        "unsupported operation: more than one element of the written-to tensor (shape \(shapeText(shape)), strides \(strides)) refers to a single memory location. Please clone() the tensor before performing the operation."
      )
    }
  }

  /// Runs `fill` on self when contiguous; otherwise on a contiguous temporary whose values are
  /// then written to self in storage order (dimensions sorted by stride, as TensorIterator
  /// walks an output). Counts as one in-place write.
  fileprivate func fillInStorageOrder(_ fill: (Tensor) -> Void) {
    defer { storage.version += 1 }
    if isContiguous {
      fill(self)
      return
    }
    let order = (0..<rank).sorted {
      strides[$0] > strides[$1] || (strides[$0] == strides[$1] && $0 < $1)
    }
    let walkShape = order.map { shape[$0] }
    let walkStrides = order.map { strides[$0] }
    let temporary = Tensor(uninitializedShape: walkShape, dtype: dtype)
    fill(temporary)
    func scatter<T>(_: T.Type) {
      let source = temporary.pointer(T.self)
      let target = pointer(T.self)
      forEachOffset(
        shape: walkShape, stridesA: walkStrides, baseA: 0, stridesB: walkStrides, baseB: 0
      ) { i, offset, _ in target[offset] = source[i] }
    }
    if dtype == .float32 { scatter(Float.self) } else { scatter(Double.self) }
  }

  /// Uniform fill of a contiguous float tensor (PyTorch's `uniform_kernel`).
  fileprivate func fillUniform(_ from: Double, _ to: Double, _ generator: Generator) {
    let n = count
    if dtype == .float32 {
      let p = pointer(Float.self)
      let low = Float(from)
      let span = Float(to) - low
      generator.withState { state in
        for i in 0..<n { p[i] = low.addingProduct(state.unitFloat(), span) }
      }
    } else {
      let p = pointer(Double.self)
      let span = to - from
      generator.withState { state in
        for i in 0..<n { p[i] = from.addingProduct(state.unitDouble(), span) }
      }
    }
  }

  /// Normal fill of a contiguous float tensor (PyTorch's `normal_kernel`).
  fileprivate func fillNormal(
    _ mean: Double, _ std: Double, _ generator: Generator, vectorPath: Bool = true
  ) {
    let n = count
    if n >= 16 && vectorPath {
      if dtype == .float32 {
        let p = pointer(Float.self)
        generator.withState { $0.normalFill(p, n, Float(mean), Float(std), boxMuller16Float) }
      } else {
        let p = pointer(Double.self)
        generator.withState { $0.normalFill(p, n, mean, std, boxMuller16Double) }
      }
      return
    }
    // Fewer than 16 (or strided): one double Box–Muller value at a time, with the pair cache.
    if dtype == .float32 {
      let p = pointer(Float.self)
      generator.withState { state in
        for i in 0..<n { p[i] = Float(state.normalDouble(mean, std)) }
      }
    } else {
      let p = pointer(Double.self)
      generator.withState { state in
        for i in 0..<n { p[i] = state.normalDouble(mean, std) }
      }
    }
  }
}

/// Box–Muller on 16 uniforms in double, with libm as PyTorch's scalar `normal_fill_16`.
private func boxMuller16Double(_ data: UnsafeMutablePointer<Double>, _ mean: Double, _ std: Double)
{
  for j in 0..<8 {
    let u1 = 1 - data[j]  // [0, 1) -> (0, 1] for the log
    let u2 = data[j + 8]
    let radius = (-2 * log(u1)).squareRoot()
    let theta = 2.0 * Double.pi * u2
    data[j] = mean.addingProduct(radius * cos(theta), std)
    data[j + 8] = mean.addingProduct(radius * sin(theta), std)
  }
}

/// Box–Muller on 16 uniforms in float, as PyTorch's `normal_fill_16_AVX2` computes each lane.
private func boxMuller16Float(_ data: UnsafeMutablePointer<Float>, _ mean: Float, _ std: Float) {
  let twoPi = Float(2.0 * Double.pi)
  for j in 0..<8 {
    let u1 = 1 - data[j]
    let u2 = data[j + 8]
    let radius = (-2 * cephesLog(u1)).squareRoot()
    let (sine, cosine) = cephesSinCos(twoPi * u2)
    data[j] = mean.addingProduct(radius * cosine, std)
    data[j + 8] = mean.addingProduct(radius * sine, std)
  }
}

/// Cephes single-precision `log` for `x` in (0, 1] (the only inputs Box–Muller gives), step by
/// step as `log256_ps` runs, including the fused multiply-adds the compiler forms.
private func cephesLog(_ input: Float) -> Float {
  let bits = max(input, Float.leastNormalMagnitude).bitPattern
  // Split into mantissa in [0.5, 1) and exponent.
  var x = Float(bitPattern: (bits & ~0x7f80_0000) | Float(0.5).bitPattern)
  var e = Float(Int32(bitPattern: bits >> 23) - 0x7f) + 1
  if x < Float(bitPattern: 0x3f35_04f3) {  // sqrt(1/2)
    e -= 1
    x = (x - 1) + x
  } else {
    x = x - 1
  }
  let z = x * x
  var y = Float(bitPattern: 0x3d90_21bb)  // 7.0376836292e-2
  for c in cephesLogCoefficients { y = c.addingProduct(y, x) }
  y = y * x
  let eq1 = e * Float(bitPattern: 0xb95e_8083)  // -2.12194440e-4
  y = eq1.addingProduct(y, z)
  y = y.addingProduct(-z, 0.5)
  return (x + y).addingProduct(e, Float(bitPattern: 0x3f31_8000))  // 0.693359375
}

/// p1 … p8 of the Cephes `logf` polynomial, as PyTorch rounds them to float.
private let cephesLogCoefficients: [Float] = [
  0xbdeb_d1b8, 0x3def_251a, 0xbdfe_5d4f, 0x3e11_e9bf, 0xbe2a_ae50, 0x3e4c_ceac, 0xbe7f_fffc,
  0x3eaa_aaaa,
].map { Float(bitPattern: $0) }

/// Cephes single-precision sine and cosine for `x >= 0`, as `sincos256_ps` computes them.
private func cephesSinCos(_ input: Float) -> (sin: Float, cos: Float) {
  var x = abs(input)
  // Octant j (rounded up to even) and the reduction x - j * pi/4 in three parts.
  var j = Int32(x * Float(bitPattern: 0x3fa2_f983))  // 4/pi
  j = (j + 1) & ~1
  let y = Float(j)
  x = x.addingProduct(y, Float(bitPattern: 0xbf49_0000))  // -0.78515625
  x = x.addingProduct(y, Float(bitPattern: 0xb97d_a000))  // -2.4187564849853515625e-4
  x = x.addingProduct(y, Float(bitPattern: 0xb322_2169))  // -3.77489497744594108e-8
  let sinSignFlip = (UInt32(bitPattern: j) & 4) << 29
  let cosSignFlip = (~UInt32(bitPattern: j &- 2) & 4) << 29

  let z = x * x
  var c = Float(bitPattern: 0xbab6_061a).addingProduct(Float(bitPattern: 0x37cc_f5ce), z)
  c = Float(bitPattern: 0x3d2a_aaa5).addingProduct(c, z)
  c = c * z
  c = (-(z * 0.5)).addingProduct(c, z)
  c = c + 1
  var s = Float(bitPattern: 0x3c08_839e).addingProduct(Float(bitPattern: 0xb94c_a1f9), z)
  s = Float(bitPattern: 0xbe2a_aaa3).addingProduct(s, z)
  s = s * z
  s = x.addingProduct(s, x)

  // Octants 2 and 3 (mod 4) swap the two polynomials.
  let swapped = (j & 2) != 0
  let sine = swapped ? c : s
  let cosine = swapped ? s : c
  let signBit = input.bitPattern & 0x8000_0000
  return (
    Float(bitPattern: sine.bitPattern ^ signBit ^ sinSignFlip),
    Float(bitPattern: cosine.bitPattern ^ cosSignFlip)
  )
}
