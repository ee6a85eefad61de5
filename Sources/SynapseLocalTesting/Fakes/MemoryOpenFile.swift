import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import Testing

/// A file open in a `MemoryFileSystem`: reads and writes go to its bytes there.
final class MemoryOpenFile: OpenFile {
  let path: String
  private let files: MemoryFileSystem
  private let writable: Bool
  private var position = 0
  private var closed = false

  init(files: MemoryFileSystem, path: String, writable: Bool) {
    self.files = files
    self.path = path
    self.writable = writable
  }

  var descriptor: Int32? { nil }

  private func checkOpen() throws {
    guard !closed else { throw FileSystemError(action: "use", path: path, reason: "Bad file descriptor") }
  }

  func length() throws -> UInt64 {
    try checkOpen()
    return UInt64(files.bytes(path)?.count ?? 0)
  }

  func seek(to offset: UInt64) throws {
    try checkOpen()
    position = Int(offset)
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    try checkOpen()
    let data = files.bytes(path) ?? Data()
    guard position < data.count else { return 0 }
    let count = min(buffer.count, data.count - position)
    data.copyBytes(to: buffer, from: position..<(position + count))
    position += count
    return count
  }

  func write(_ bytes: UnsafeRawBufferPointer) throws {
    try checkOpen()
    guard writable else { throw FileSystemError(action: "write", path: path, reason: "Bad file descriptor") }
    let start = position
    files.replaceBytes(path) { data in
      if data.count < start { data.append(Data(count: start - data.count)) }
      let end = min(data.count, start + bytes.count)
      data.replaceSubrange(start..<end, with: bytes)
    }
    position += bytes.count
  }

  func truncate(to length: UInt64) throws {
    try checkOpen()
    files.replaceBytes(path) { data in
      if data.count > Int(length) { data.count = Int(length) } else { data.append(Data(count: Int(length) - data.count)) }
    }
  }

  func sync() throws { try checkOpen() }

  func startWriteback(offset: UInt64, length: UInt64) {
    files.record(.init(offset: offset, length: length, waited: false), of: path)
  }

  func awaitWriteback(offset: UInt64, length: UInt64) {
    files.record(.init(offset: offset, length: length, waited: true), of: path)
  }

  func close() { closed = true }
}
