import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The `--out` folder of `descent train`: checked before training, so that a path that cannot
/// be written fails in a second rather than after an hour, and filled only once every file is
/// complete.
///
/// The files go into a fresh hidden staging folder first, on the same file system as the
/// target (beside it, or inside it when it exists), so that renames can move them. A new folder
/// is then renamed into place in one step; into an existing folder each file is renamed over
/// its old version, so that the folder's other files stay and a failure before the renames
/// changes nothing.
struct OutputFolder {
  /// The path as the user gave it, for messages.
  let path: String
  /// `path` made absolute, with `.` and `..` resolved.
  private let absolute: String
  /// The closest existing folder on the way to `path` (`path` itself when it exists).
  private let existingAncestor: String
  private let exists: Bool

  init(path: String) throws {
    guard !path.isEmpty else { throw CLIError("--out needs a folder name") }
    self.path = path
    let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
    var candidate = absolute
    while true {
      var info = stat()
      if stat(candidate, &info) == 0 {
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
          if candidate == absolute {
            throw CLIError(
              "--out \"\(path)\": that is a file, not a folder; give a folder to write the results into"
            )
          }
          throw CLIError(
            "--out \"\(path)\": cannot create that folder, since \"\(Self.display(candidate, userPath: path))\" is a file, not a folder"
          )
        }
        break
      }
      let code = errno
      guard code == ENOENT || code == ENOTDIR else {
        throw CLIError(
          "--out \"\(path)\": cannot reach \"\(Self.display(candidate, userPath: path))\": \(String(cString: strerror(code)))"
        )
      }
      candidate = (candidate as NSString).deletingLastPathComponent
    }
    guard access(candidate, W_OK | X_OK) == 0 else {
      throw CLIError(
        "--out \"\(path)\": no permission to write in \"\(Self.display(candidate, userPath: path))\""
      )
    }
    existingAncestor = candidate
    exists = candidate == absolute
    self.absolute = absolute
  }

  /// An absolute path as the user would write it: relative to the working folder when the
  /// user's path was relative and it lies inside that folder.
  private static func display(_ absolutePath: String, userPath: String) -> String {
    let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL
      .path
    guard !userPath.hasPrefix("/") else { return absolutePath }
    if absolutePath == here { return "." }
    return absolutePath.hasPrefix(here + "/")
      ? String(absolutePath.dropFirst(here.count + 1)) : absolutePath
  }

  /// The path of file `name` inside the folder, for messages.
  func shown(_ name: String) -> String {
    (path as NSString).appendingPathComponent(name)
  }

  /// Runs `write` on a fresh staging folder, then moves what it wrote into place. On any
  /// error the staging folder is removed and the target is as it was.
  func commit(_ write: (URL) throws -> Void) throws {
    let parent = exists ? absolute : existingAncestor
    let name = (absolute as NSString).lastPathComponent
    let staging = (parent as NSString).appendingPathComponent(
      ".\(name).descent-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    guard mkdir(staging, 0o777) == 0 else { throw systemError("create a folder in", parent) }
    var created: [String] = []
    do {
      try write(URL(fileURLWithPath: staging, isDirectory: true))
      if exists {
        for file in try FileManager.default.contentsOfDirectory(atPath: staging).sorted() {
          let target = (absolute as NSString).appendingPathComponent(file)
          guard rename((staging as NSString).appendingPathComponent(file), target) == 0 else {
            throw systemError("move into place", target)
          }
        }
        rmdir(staging)
      } else {
        // The folders between the existing one and the target, outermost first.
        var missing: [String] = []
        var folder = (absolute as NSString).deletingLastPathComponent
        while folder != existingAncestor && folder.count > existingAncestor.count {
          missing.insert(folder, at: 0)
          folder = (folder as NSString).deletingLastPathComponent
        }
        for folder in missing {
          guard mkdir(folder, 0o777) == 0 else { throw systemError("create", folder) }
          created.append(folder)
        }
        guard rename(staging, absolute) == 0 else { throw systemError("create", absolute) }
      }
    } catch {
      try? FileManager.default.removeItem(atPath: staging)
      for folder in created.reversed() { rmdir(folder) }
      throw error
    }
  }

  private func systemError(_ action: String, _ target: String) -> CLIError {
    CLIError(
      "--out \"\(path)\": cannot \(action) \"\(target)\": \(String(cString: strerror(errno)))")
  }
}

/// Writes `data` to a new file at `url` and flushes it to disk.
func writeNewFile(_ data: Data, to url: URL) throws {
  let path = url.path
  let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
  guard descriptor >= 0 else { throw fileError("create", path) }
  defer { close(descriptor) }
  try data.withUnsafeBytes { raw in
    var offset = 0
    while offset < raw.count {
      let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
      if written < 0 {
        if errno == EINTR { continue }
        throw fileError("write", path)
      }
      offset += written
    }
  }
  guard fsync(descriptor) == 0 else { throw fileError("flush", path) }
}

/// Writes `data` to `path` atomically: into a temporary file in the same folder, then renamed
/// over the target, so that a reader never sees half a file and a failure leaves the old one.
func writeFileAtomically(_ data: Data, toPath path: String) throws {
  let folder = (path as NSString).deletingLastPathComponent
  let name = (path as NSString).lastPathComponent
  let temporary = ((folder.isEmpty ? "." : folder) as NSString).appendingPathComponent(
    ".\(name).descent-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
  do {
    try writeNewFile(data, to: URL(fileURLWithPath: temporary))
    guard rename(temporary, path) == 0 else { throw fileError("replace", path) }
  } catch {
    unlink(temporary)
    throw error
  }
}

/// Throws unless a file can be written at `path`: its folder exists and `path` is no folder.
func checkWritableFile(_ path: String, option: String) throws {
  var info = stat()
  if stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
    throw CLIError("\(option) \"\(path)\": that is a folder; give a file name")
  }
  let folder = (path as NSString).deletingLastPathComponent
  let existing = folder.isEmpty ? "." : folder
  guard stat(existing, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
    throw CLIError("\(option) \"\(path)\": the folder \"\(existing)\" does not exist")
  }
  guard access(existing, W_OK | X_OK) == 0 else {
    throw CLIError("\(option) \"\(path)\": no permission to write in \"\(existing)\"")
  }
}

private func fileError(_ action: String, _ path: String) -> CLIError {
  CLIError("cannot \(action) \"\(path)\": \(String(cString: strerror(errno)))")
}
