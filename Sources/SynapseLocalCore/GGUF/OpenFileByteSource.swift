import Foundation
import SynapseLocalSystem

/// A file's bytes read through the context's file system, a block at a time where the reader asks:
/// never mapped or loaded whole.
public final class OpenFileByteSource: GGUFByteSource {
  public let path: String
  public let size: UInt64
  private let file: any OpenFile

  public init(files: any FileSystem, path: String) throws(GGUFError) {
    self.path = path
    guard let entry = files.entry(path) else { throw .unreadable(path: path, reason: "No such file or directory") }
    // A store file is a link to its blob: what counts is what it points at.
    guard entry.kind == .file || (entry.kind == .link && !files.isDirectory(path)) else {
      throw .unreadable(path: path, reason: "it is not a regular file")
    }
    do {
      file = try files.open(path, .read)
      size = try file.length()
    } catch {
      throw .unreadable(path: path, reason: (error as? FileSystemError)?.reason ?? "\(error)")
    }
  }

  public func read(at offset: UInt64, count: Int) throws -> [UInt8] {
    guard count > 0, offset < size else { return [] }
    var bytes = [UInt8](repeating: 0, count: Int(min(UInt64(count), size - offset)))
    var filled = 0
    do {
      try file.seek(to: offset)
      while filled < bytes.count {
        let got = try bytes.withUnsafeMutableBytes { try file.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...])) }
        if got == 0 { break }
        filled += got
      }
    } catch {
      throw GGUFError.unreadable(path: path, reason: (error as? FileSystemError)?.reason ?? "\(error)")
    }
    return filled == bytes.count ? bytes : Array(bytes[..<filled])
  }
}
