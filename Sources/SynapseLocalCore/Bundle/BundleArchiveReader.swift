import CArchive
import Foundation
import SynapseLocalSystem

/// Reads a bundle member by member, streaming each member's bytes in blocks.
struct BundleArchiveReader {
  struct Member {
    var name: String
    var size: UInt64
    var isRegularFile: Bool
    var mode: mode_t
  }

  let path: String
  let files: any FileSystem

  /// Calls `body` for each member with a function that streams its bytes to a consumer; returns
  /// the whole file's sha256, hashed from the same read (the file is read once).
  @discardableResult
  func readMembers(_ body: (Member, _ stream: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws -> Void) throws -> String {
    let source: HashingFileSource
    do {
      source = HashingFileSource(file: try files.open(path, .read))
    } catch {
      throw BundleError.unreadable(path: path, reason: (error as? FileSystemError)?.reason ?? "\(error)")
    }
    // libarchive reads through a raw pointer to it: it must outlive the reader.
    defer { withExtendedLifetime(source) {} }
    guard let reader = archive_read_new() else { throw BundleError.unreadable(path: path, reason: "libarchive could not start") }
    defer { archive_read_free(reader) }
    archive_read_support_filter_zstd(reader)
    archive_read_support_format_tar(reader)
    // Past the end-of-archive blocks too: members appended after them (a second frame, which
    // `tar -i` extracts) are read, and refused as members the manifest does not list.
    archive_read_set_format_option(reader, "tar", "read_concatenated_archives", "1")
    // No skip or seek callback: every byte libarchive passes over is read, and so hashed.
    let opened = archive_read_open(
      reader, Unmanaged.passUnretained(source).toOpaque(), nil,
      { _, client, buffer in
        guard let client, let buffer else { return -1 }
        let source = Unmanaged<HashingFileSource>.fromOpaque(client).takeUnretainedValue()
        buffer.pointee = UnsafeRawPointer(source.block)
        return source.read()
      }, nil)
    guard opened == ARCHIVE_OK else { throw failure(reader, source) }
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    var entry: OpaquePointer?
    while true {
      let status = archive_read_next_header(reader, &entry)
      if status == ARCHIVE_EOF { break }
      guard status == ARCHIVE_OK, let entry else { throw failure(reader, source) }
      let name = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
      let member = Member(
        name: name, size: UInt64(max(archive_entry_size(entry), 0)), isRegularFile: archive_entry_filetype(entry) == UInt32(0o100000),
        mode: archive_entry_perm(entry))
      var consumed = false
      try body(member) { consumer in
        consumed = true
        while true {
          let count = buffer.withUnsafeMutableBytes { archive_read_data(reader, $0.baseAddress, $0.count) }
          if count == 0 { break }
          guard count > 0 else { throw failure(reader, source) }
          try buffer.withUnsafeBytes { try consumer(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
      }
      if !consumed, archive_read_data_skip(reader) != ARCHIVE_OK { throw failure(reader, source) }
    }
    return try source.finish(path: path)
  }

  /// A truncated stream, or another read error.
  func failure(_ reader: OpaquePointer, _ source: HashingFileSource) -> BundleError {
    if let reason = source.failure { return .unreadable(path: path, reason: reason) }
    let message = BundleArchiveWriter.message(reader)
    let lowered = message.lowercased()
    if lowered.contains("truncated") || lowered.contains("premature") || lowered.contains("unexpected end") {
      return .truncated(path: path)
    }
    return .unreadable(path: path, reason: message)
  }
}
