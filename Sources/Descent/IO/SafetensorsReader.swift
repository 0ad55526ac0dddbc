import Foundation

/// The bytes being decoded: a file read with `pread`, or memory.
struct SafetensorsSource {
  let size: Int
  private let memory: UnsafeRawBufferPointer?
  private let descriptor: Int32
  private let path: String?

  init(memory: UnsafeRawBufferPointer) {
    self.size = memory.count
    self.memory = memory
    self.descriptor = -1
    self.path = nil
  }

  init(descriptor: Int32, size: Int, path: String) {
    self.size = size
    self.memory = nil
    self.descriptor = descriptor
    self.path = path
  }

  /// Copies `count` bytes at `offset` (checked by the caller to lie inside `size`) to `target`.
  func copy(into target: UnsafeMutableRawPointer, count: Int, at offset: Int) throws {
    if let memory {
      if count > 0 { target.copyMemory(from: memory.baseAddress! + offset, byteCount: count) }
      return
    }
    var done = 0
    while done < count {
      // Linux moves at most ~2 GiB per call.
      let result = pread(
        descriptor, target + done, min(count - done, 1 << 30), off_t(offset + done))
      if result < 0 {
        if errno == EINTR { continue }
        throw SafetensorsError.io("read", path: path ?? "", errno: errno)
      }
      guard result > 0 else {
        throw SafetensorsError(
          .io,
          "the file ended at byte \(offset + done) while \(offset + count) were expected; it changed while it was read",
          path: path)
      }
      done += result
    }
  }

  /// Calls `body` with `count` bytes at `offset`: in place for memory, through a temporary
  /// buffer for a file.
  func withBytes<R>(at offset: Int, count: Int, _ body: (UnsafeRawPointer) throws -> R) throws -> R
  {
    // `size >= 8` was checked first, so the base address exists.
    if let memory { return try body(memory.baseAddress! + offset) }
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 16)
    defer { buffer.deallocate() }
    try copy(into: buffer, count: count, at: offset)
    return try body(UnsafeRawPointer(buffer))
  }
}

extension Safetensors {
  static func readFile(_ url: URL) throws -> (tensors: StateDict, metadata: [String: String]) {
    let path = url.path(percentEncoded: false)
    do {
      guard url.isFileURL else {
        throw SafetensorsError(.io, "\(url) is not a file URL")
      }
      let descriptor = open(path, O_RDONLY | O_CLOEXEC)
      guard descriptor >= 0 else { throw SafetensorsError.io("open", path: path, errno: errno) }
      defer { close(descriptor) }
      var info = stat()
      guard fstat(descriptor, &info) == 0 else {
        throw SafetensorsError.io("stat", path: path, errno: errno)
      }
      guard info.st_mode & S_IFMT == S_IFREG else {
        let kind = info.st_mode & S_IFMT == S_IFDIR ? "a directory" : "a device, pipe or socket"
        throw SafetensorsError(.io, "this is \(kind), not a regular file")
      }
      return try read(
        SafetensorsSource(descriptor: descriptor, size: Int(info.st_size), path: path))
    } catch let error as SafetensorsError {
      throw error.path == nil ? error.at(path: path) : error
    }
  }

  /// Parses and checks the header, then reads each tensor into memory of its own.
  static func read(_ source: SafetensorsSource) throws -> (
    tensors: StateDict, metadata: [String: String]
  ) {
    guard source.size >= 8 else {
      throw SafetensorsError(
        .fileTooShort,
        "the file holds \(source.size) bytes; a safetensors file starts with an 8-byte header length"
      )
    }
    var rawLength: UInt64 = 0
    try source.copy(into: &rawLength, count: 8, at: 0)
    let headerLength = UInt64(littleEndian: rawLength)
    // Bounded before anything is allocated: a corrupt length may claim terabytes.
    guard headerLength <= UInt64(maxHeaderSize) else {
      throw SafetensorsError(
        .headerTooLarge,
        "the header length is \(headerLength) bytes, over the limit of \(maxHeaderSize) (the reference implementation's); the file is corrupt or not a safetensors file",
        byteOffset: 0)
    }
    guard Int(headerLength) <= source.size - 8 else {
      throw SafetensorsError(
        .headerBeyondFile,
        "the header length is \(headerLength) bytes but only \(source.size - 8) follow it; the file is truncated or corrupt",
        byteOffset: 0)
    }
    let dataStart = 8 + Int(headerLength)
    let parsed = try source.withBytes(at: 8, count: Int(headerLength)) { header in
      var parser = SafetensorsHeaderParser(
        UnsafeRawBufferPointer(start: header, count: Int(headerLength)), fileOffset: 8)
      return try parser.parse()
    }
    let entries = try SafetensorsLayout.validate(parsed.entries, dataSize: source.size - dataStart)
    var tensors = StateDict()
    for entry in entries {
      tensors[entry.name] = try readTensor(entry, from: source, dataStart: dataStart)
    }
    return (tensors, parsed.metadata)
  }

  /// One tensor, read straight into its storage when the types match, else converted.
  private static func readTensor(
    _ entry: SafetensorsEntry, from source: SafetensorsSource, dataStart: Int
  ) throws -> Tensor {
    let tensor = Tensor(uninitializedShape: entry.shape, dtype: entry.dtype.loadsAs!)
    let count = entry.count
    let offset = dataStart + entry.begin
    let byteCount = entry.end - entry.begin
    let target = tensor.storage.data
    switch entry.dtype {
    case .f32, .f64, .i64:
      try source.copy(into: target, count: byteCount, at: offset)
      swapFromLittleEndian(target, count: count, size: entry.dtype.size)
    case .bool:
      try source.copy(into: target, count: byteCount, at: offset)
      // A Swift Bool must be 0 or 1; anything else would be undefined behaviour when read.
      let bytes = UnsafeRawPointer(target).assumingMemoryBound(to: UInt8.self)
      var combined: UInt8 = 0
      for index in 0..<count { combined |= bytes[index] }
      if combined > 1, let index = (0..<count).first(where: { bytes[$0] > 1 }) {
        throw SafetensorsError(
          .invalidValue,
          "BOOL element \(index) is the byte \(bytes[index]); booleans must be 0 or 1",
          tensor: entry.name, byteOffset: offset + index)
      }
    default:
      try source.withBytes(at: offset, count: byteCount) { raw in
        try convert(raw, entry: entry, count: count, into: target, fileOffset: offset)
      }
    }
    return tensor
  }

  /// Widens the types Descent has no storage for into float32 or int64, exactly.
  private static func convert(
    _ raw: UnsafeRawPointer, entry: SafetensorsEntry, count: Int,
    into target: UnsafeMutableRawPointer,
    fileOffset: Int
  ) throws {
    func load<T: FixedWidthInteger>(_ index: Int, _: T.Type) -> T {
      T(littleEndian: raw.loadUnaligned(fromByteOffset: index * MemoryLayout<T>.size, as: T.self))
    }
    func widen<T: FixedWidthInteger>(_ type: T.Type) {
      let out = target.assumingMemoryBound(to: Int64.self)
      for index in 0..<count { out[index] = Int64(load(index, type)) }
    }
    switch entry.dtype {
    case .f16:
      let out = target.assumingMemoryBound(to: Float.self)
      for index in 0..<count { out[index] = floatFromHalf(load(index, UInt16.self)) }
    case .bf16:
      // bfloat16 is the top half of a float32.
      let out = target.assumingMemoryBound(to: Float.self)
      for index in 0..<count {
        out[index] = Float(bitPattern: UInt32(load(index, UInt16.self)) << 16)
      }
    case .u8: widen(UInt8.self)
    case .i8: widen(Int8.self)
    case .u16: widen(UInt16.self)
    case .i16: widen(Int16.self)
    case .u32: widen(UInt32.self)
    case .i32: widen(Int32.self)
    case .u64:
      let out = target.assumingMemoryBound(to: Int64.self)
      for index in 0..<count {
        let value = load(index, UInt64.self)
        guard let exact = Int64(exactly: value) else {
          throw SafetensorsError(
            .invalidValue,
            "U64 element \(index) is \(value), more than int64 (Descent's integer type) holds",
            tensor: entry.name, byteOffset: fileOffset + index * 8)
        }
        out[index] = exact
      }
    default:
      preconditionFailure("Safetensors: \(entry.dtype) reached conversion")
    }
  }

  /// IEEE half precision to float32, exactly (every half value is a float32 value).
  static func floatFromHalf(_ bits: UInt16) -> Float {
    let sign: UInt32 = UInt32(bits & 0x8000) << 16
    let exponent = UInt32(bits >> 10) & 0x1F
    let mantissa = UInt32(bits & 0x3FF)
    switch exponent {
    case 0x1F:  // infinity or NaN, payload kept
      return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
    case 0:  // zero or subnormal: mantissa × 2^-24
      let magnitude = Float(mantissa) * 0x1p-24
      return sign == 0 ? magnitude : -magnitude
    default:  // rebias the exponent from 15 to 127
      return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
    }
  }

  /// The file is little-endian; on a big-endian host, multi-byte elements are swapped in place.
  static func swapFromLittleEndian(_ pointer: UnsafeMutableRawPointer, count: Int, size: Int) {
    #if _endian(big)
      switch size {
      case 8:
        let words = pointer.assumingMemoryBound(to: UInt64.self)
        for index in 0..<count { words[index] = words[index].byteSwapped }
      case 4:
        let words = pointer.assumingMemoryBound(to: UInt32.self)
        for index in 0..<count { words[index] = words[index].byteSwapped }
      default:
        break
      }
    #endif
  }
}
