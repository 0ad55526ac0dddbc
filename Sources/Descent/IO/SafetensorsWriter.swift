import Foundation

/// What a save writes: the header, then each tensor's bytes in data order.
struct SafetensorsWritePlan {
  /// The 8-byte length, the JSON and its padding.
  let header: [UInt8]
  /// The tensors in data order.
  let tensors: [Tensor]
  /// Bytes after the header.
  let dataSize: Int

  /// Checks the tensors and lays them out as the reference writer does (see
  /// ``SafetensorsDType``): sorted by dtype, widest first, then by the bytes of the name.
  init(_ dict: StateDict, metadata: [String: String]) throws {
    for (name, _) in dict where name == "__metadata__" {
      throw SafetensorsError(
        .invalidName,
        "\"__metadata__\" is the header's metadata key and cannot name a tensor; rename it",
        tensor: name)
    }
    let ordered = dict.map {
      (name: $0.key, tensor: $0.value, dtype: SafetensorsDType($0.value.dtype))
    }
    .sorted {
      $0.dtype.rank != $1.dtype.rank
        ? $0.dtype.rank > $1.dtype.rank : $0.name.utf8.lexicographicallyPrecedes($1.name.utf8)
    }
    var json: [UInt8] = []
    json.reserveCapacity(64 + 96 * ordered.count)
    json.append(UInt8(ascii: "{"))
    var first = true
    func separator() {
      if !first { json.append(UInt8(ascii: ",")) }
      first = false
    }
    if !metadata.isEmpty {
      separator()
      Self.appendString("__metadata__", to: &json)
      json.append(contentsOf: ":{".utf8)
      for (index, key) in metadata.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        .enumerated()
      {
        if index > 0 { json.append(UInt8(ascii: ",")) }
        Self.appendString(key, to: &json)
        json.append(UInt8(ascii: ":"))
        Self.appendString(metadata[key]!, to: &json)
      }
      json.append(UInt8(ascii: "}"))
    }
    var offset = 0
    for (name, tensor, dtype) in ordered {
      let byteCount = tensor.count * tensor.dtype.itemSize
      separator()
      Self.appendString(name, to: &json)
      json.append(contentsOf: ":{\"dtype\":\"\(dtype.rawValue)\",\"shape\":[".utf8)
      json.append(contentsOf: tensor.shape.map(String.init).joined(separator: ",").utf8)
      json.append(contentsOf: "],\"data_offsets\":[\(offset),\(offset + byteCount)]}".utf8)
      offset += byteCount
    }
    json.append(UInt8(ascii: "}"))
    // Spaces up to a multiple of 8, so the data (and each tensor, by the sort) is aligned.
    json.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - json.count % 8) % 8))
    guard json.count <= Safetensors.maxHeaderSize else {
      throw SafetensorsError(
        .headerTooLarge,
        "the header would be \(json.count) bytes, over the limit of \(Safetensors.maxHeaderSize) that readers accept; use fewer tensors or shorter names and metadata"
      )
    }
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { json.insert(contentsOf: $0, at: 0) }
    header = json
    tensors = ordered.map(\.tensor)
    dataSize = offset
  }

  private static let hexDigits = Array("0123456789abcdef".utf8)

  /// A JSON string escaped as serde_json (the reference writer) escapes it.
  static func appendString(_ text: String, to json: inout [UInt8]) {
    json.append(UInt8(ascii: "\""))
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"):
        json.append(UInt8(ascii: "\\")); json.append(byte)
      case 0x08: json.append(contentsOf: "\\b".utf8)
      case 0x09: json.append(contentsOf: "\\t".utf8)
      case 0x0A: json.append(contentsOf: "\\n".utf8)
      case 0x0C: json.append(contentsOf: "\\f".utf8)
      case 0x0D: json.append(contentsOf: "\\r".utf8)
      case 0..<0x20:
        json.append(
          contentsOf: "\\u00".utf8 + [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]])
      default: json.append(byte)
      }
    }
    json.append(UInt8(ascii: "\""))
  }

  /// Calls `body` with each tensor's bytes, row-major and little-endian.
  func forEachTensorBytes(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
    for tensor in tensors {
      let dense = Self.littleEndianDense(tensor)
      let itemSize = dense.dtype.itemSize
      try withExtendedLifetime(dense) {
        try body(
          UnsafeRawBufferPointer(
            start: dense.storage.data + dense.storageOffset * itemSize,
            count: dense.count * itemSize))
      }
    }
  }

  /// The tensor as contiguous data in the file's byte order (a copy only when needed).
  private static func littleEndianDense(_ tensor: Tensor) -> Tensor {
    #if _endian(big)
      let dense = tensor.dense()
      let copy = Tensor(uninitializedShape: dense.shape, dtype: dense.dtype)
      copy.storage.data.copyMemory(
        from: dense.storage.data + dense.storageOffset * dense.dtype.itemSize,
        byteCount: dense.count * dense.dtype.itemSize)
      Safetensors.swapFromLittleEndian(
        copy.storage.data, count: copy.count, size: copy.dtype.itemSize)
      return copy
    #else
      return tensor.dense()
    #endif
  }
}

extension Safetensors {
  static func encodeToData(_ tensors: StateDict, metadata: [String: String]) throws -> Data {
    let plan = try SafetensorsWritePlan(tensors, metadata: metadata)
    // Uninitialised memory handed to Data without a copy: `Data(count:)` would zero it first and
    // `append` copies byte by byte, each costing more than the copy itself.
    let count = plan.header.count + plan.dataSize
    guard let memory = malloc(count) else {
      fatalError("Descent: out of memory allocating \(count) bytes")
    }
    let target = UnsafeMutableRawBufferPointer(start: memory, count: count)
    plan.header.withUnsafeBytes { target.copyMemory(from: $0) }
    var offset = plan.header.count
    plan.forEachTensorBytes { bytes in
      UnsafeMutableRawBufferPointer(rebasing: target[offset...]).copyMemory(from: bytes)
      offset += bytes.count
    }
    return Data(bytesNoCopy: memory, count: count, deallocator: .free)
  }

  /// `save`, with a hook that runs on the complete, synced temporary file just before it
  /// replaces the target (tests make it throw to check that a failed save changes nothing).
  static func save(
    _ tensors: StateDict, to url: URL, metadata: [String: String],
    beforeReplacing: (_ temporaryPath: String) throws -> Void
  ) throws {
    let path = url.path(percentEncoded: false)
    do {
      guard url.isFileURL else { throw SafetensorsError(.io, "\(url) is not a file URL") }
      // Everything that can be checked is checked before the disk is touched.
      let plan = try SafetensorsWritePlan(tensors, metadata: metadata)
      try writeAtomically(path: path) { file in
        try plan.header.withUnsafeBytes { try file.append($0) }
        try plan.forEachTensorBytes { try file.append($0) }
        try file.flush()
      } beforeReplacing: {
        try beforeReplacing($0)
      }
    } catch let error as SafetensorsError {
      throw error.path == nil ? error.at(path: path) : error
    }
  }

  /// Writes a temporary file next to `path`, syncs it and renames it over `path`; on any error
  /// the temporary file is removed and `path` is untouched.
  private static func writeAtomically(
    path: String, _ body: (inout SafetensorsFileSink) throws -> Void,
    beforeReplacing: (String) throws -> Void
  ) throws {
    let slash = path.lastIndex(of: "/")
    let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
    let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
    // Same directory, so that the rename is atomic; hidden, so that it is not mistaken for a
    // model by tools listing *.safetensors.
    var temporary = ""
    var descriptor: Int32 = -1
    for _ in 0..<16 {
      let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
      // The name is shortened so that the temporary one stays within NAME_MAX (255 bytes).
      temporary =
        (directory == "/" ? "" : directory)
        + "/.\(String(decoding: name.utf8.prefix(200), as: UTF8.self)).\(suffix).tmp"
      descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
      if descriptor >= 0 || errno != EEXIST { break }
    }
    guard descriptor >= 0 else {
      throw SafetensorsError.io(
        "creating a temporary file in \"\(directory)\"", path: path, errno: errno)
    }
    var sink = SafetensorsFileSink(descriptor: descriptor, path: path)
    var replaced = false
    defer {
      if sink.descriptor >= 0 { close(sink.descriptor) }
      if !replaced { unlink(temporary) }
    }
    // A file being replaced keeps its permissions, as it would if written in place.
    var existing = stat()
    if stat(path, &existing) == 0, existing.st_mode & S_IFMT == S_IFREG {
      _ = fchmod(descriptor, existing.st_mode & 0o7777)
    }
    try body(&sink)
    // Synced before the rename, so that after a crash the name holds the old file or the
    // complete new one, never a partly written one.
    guard fsync(descriptor) == 0 else {
      throw SafetensorsError.io("fsync", path: path, errno: errno)
    }
    sink.descriptor = -1
    guard close(descriptor) == 0 else {
      throw SafetensorsError.io("close", path: path, errno: errno)
    }
    try beforeReplacing(temporary)
    guard rename(temporary, path) == 0 else {
      throw SafetensorsError.io(
        "renaming the temporary file over the target", path: path, errno: errno)
    }
    replaced = true
    // Makes the rename itself durable; some file systems cannot sync a directory, which is
    // no reason to report a save that did happen as failed.
    let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if directoryDescriptor >= 0 {
      _ = fsync(directoryDescriptor)
      close(directoryDescriptor)
    }
  }
}

/// Buffered writes to a file descriptor: small tensors are gathered into one buffer, large
/// ones go straight from the tensor's memory to the file.
struct SafetensorsFileSink {
  var descriptor: Int32
  let path: String
  private var buffer: [UInt8] = []
  private static let bufferSize = 1 << 20
  /// Bytes written so far, and the first of them whose writeback has not been started.
  private var written = 0
  private var unsynced = 0
  private static let writebackStep = 8 << 20

  init(descriptor: Int32, path: String) {
    self.descriptor = descriptor
    self.path = path
    buffer.reserveCapacity(Self.bufferSize)
  }

  mutating func append(_ bytes: UnsafeRawBufferPointer) throws {
    if buffer.count + bytes.count <= Self.bufferSize {
      buffer.append(contentsOf: bytes)
      return
    }
    try flush()
    if bytes.count < Self.bufferSize {
      buffer.append(contentsOf: bytes)
    } else {
      try writeAll(bytes)
    }
  }

  mutating func flush() throws {
    try buffer.withUnsafeBytes { try writeAll($0) }
    buffer.removeAll(keepingCapacity: true)
  }

  private mutating func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
    var done = 0
    while done < bytes.count {
      let result = write(descriptor, bytes.baseAddress! + done, min(bytes.count - done, 1 << 30))
      if result < 0 {
        if errno == EINTR { continue }
        throw SafetensorsError.io("write", path: path, errno: errno)
      }
      guard result > 0 else { throw SafetensorsError.io("write", path: path, errno: ENOSPC) }
      done += result
    }
    written += bytes.count
    // The disk starts on what is written while the rest is copied, so that the final fsync
    // waits for little: on a disk, write + fsync take about the time of the slower of the two
    // instead of their sum.
    if written - unsynced >= Self.writebackStep, let start = WriteBack.syncFileRange {
      _ = start(descriptor, Int64(unsynced), Int64(written - unsynced), WriteBack.write)
      unsynced = written
    }
  }
}

/// Linux's `sync_file_range`, looked up at run time because Swift's Glibc module does not
/// export it (it is a GNU extension); nil where it does not exist, and then the fsync does all.
private enum WriteBack {
  typealias Function = @convention(c) (Int32, Int64, Int64, UInt32) -> Int32
  /// `SYNC_FILE_RANGE_WRITE`: start writeback, do not wait.
  static let write: UInt32 = 2
  static let syncFileRange: Function? = {
    #if os(Linux)
      guard let program = dlopen(nil, RTLD_NOW), let symbol = dlsym(program, "sync_file_range")
      else { return nil }
      return unsafeBitCast(symbol, to: Function.self)
    #else
      return nil
    #endif
  }()
}
