import CArchive
import Foundation
import SynapseLocalSystem

/// Writes a bundle: a tar (pax) stream compressed with zstd through libarchive, to `FILE.partial`,
/// renamed to FILE only once complete. Files are streamed in blocks and hashed on the way: memory
/// stays constant whatever their sizes.
final class BundleArchiveWriter {
  let path: String
  let partial: String
  let files: any FileSystem
  private let writer: OpaquePointer
  private var buffer = [UInt8](repeating: 0, count: 1 << 20)
  private var finished = false
  private let sink: HashingFileSink

  init(path: String, files: any FileSystem) throws(BundleError) {
    self.path = path
    self.files = files
    partial = path + ".partial"
    guard let writer = archive_write_new() else { throw .unwritable(path: path, reason: "libarchive could not start") }
    self.writer = writer
    let file: any OpenFile
    do {
      file = try files.open(partial, .truncate, permissions: 0o644)
    } catch {
      archive_write_free(writer)
      throw .unwritable(path: partial, reason: (error as? FileSystemError)?.reason ?? "\(error)")
    }
    sink = HashingFileSink(file: file)
    archive_write_set_format_pax_restricted(writer)
    // zstd's default level, as tar --zstd uses; one compression thread (zstd's own workers would
    // double the memory), fed by a reader thread that hashes (`add(_:file:)`).
    archive_write_add_filter_zstd(writer)
    // Blocks of 1 MiB; the last one unpadded, as libarchive writes a regular file.
    archive_write_set_bytes_per_block(writer, 1 << 20)
    archive_write_set_bytes_in_last_block(writer, 1)
    // The bytes pass through `sink`, which hashes them: the file's sha256 without reading it again.
    let opened = archive_write_open(
      writer, Unmanaged.passUnretained(sink).toOpaque(), nil,
      { _, client, buffer, length in
        guard let client, let buffer else { return -1 }
        return Unmanaged<HashingFileSink>.fromOpaque(client).takeUnretainedValue().write(
          UnsafeRawBufferPointer(start: buffer, count: length))
      }, nil)
    guard opened == ARCHIVE_OK else {
      let reason = Self.message(writer)
      archive_write_free(writer)
      file.close()
      try? files.remove(partial)
      throw .unwritable(path: partial, reason: reason)
    }
  }

  deinit {
    if !finished {
      archive_write_free(writer)
      sink.file.close()
      try? files.remove(partial)
    }
  }

  /// Adds `file` as `name`; returns its sha256. A reader thread reads and hashes the file into a
  /// few blocks while this one compresses the ones before: the pipeline `tar | zstd` gets from two
  /// processes, in constant memory. `progress` hears each block's size.
  func add(_ name: String, file: String, mode: Int32 = 0o644, size: UInt64, progress: (UInt64) -> Void) throws -> String {
    let source: any OpenFile
    do {
      source = try files.open(file, .read)
    } catch {
      throw BundleError.unreadable(path: file, reason: (error as? FileSystemError)?.reason ?? "\(error)")
    }
    defer { source.close() }
    try header(name, size: size, mode: mode)
    let ring = BlockRing(file: source)
    ring.start()
    var written: UInt64 = 0
    var failure: (any Error)?
    while let (slot, count) = ring.next() {
      let put = archive_write_data(writer, ring.block(slot), count)
      ring.release(slot)
      guard put == count else {
        failure = BundleError.unwritable(path: partial, reason: Self.message(writer))
        break
      }
      written += UInt64(count)
      progress(UInt64(count))
    }
    let (digest, readError) = ring.finish()
    if let failure { throw failure }
    if let readError { throw BundleError.unreadable(path: file, reason: readError) }
    guard written == size else { throw BundleError.unreadable(path: file, reason: "it changed size while being read") }
    return digest
  }

  /// Adds bytes held in memory (the manifest, the project files).
  func add(_ name: String, data: Data, mode: Int32 = 0o644) throws {
    try header(name, size: UInt64(data.count), mode: mode)
    try data.withUnsafeBytes { bytes in
      guard archive_write_data(writer, bytes.baseAddress, bytes.count) == bytes.count else {
        throw BundleError.unwritable(path: partial, reason: Self.message(writer))
      }
    }
  }

  func header(_ name: String, size: UInt64, mode: Int32) throws {
    guard let entry = archive_entry_new() else { throw BundleError.unwritable(path: partial, reason: "libarchive could not start") }
    defer { archive_entry_free(entry) }
    archive_entry_set_pathname(entry, name)
    archive_entry_set_size(entry, Int64(size))
    archive_entry_set_filetype(entry, UInt32(0o100000))
    archive_entry_set_perm(entry, mode_t(mode))
    archive_entry_set_mtime(entry, time(nil), 0)
    guard archive_write_header(writer, entry) == ARCHIVE_OK else {
      throw BundleError.unwritable(path: partial, reason: Self.message(writer))
    }
  }

  private func write(_ count: Int) throws {
    let put = buffer.withUnsafeBytes { archive_write_data(writer, $0.baseAddress, count) }
    guard put == count else { throw BundleError.unwritable(path: partial, reason: Self.message(writer)) }
  }

  /// Closes the stream and renames it into place; returns the whole file's sha256.
  @discardableResult
  func finish() throws -> String {
    guard archive_write_close(writer) == ARCHIVE_OK else {
      throw BundleError.unwritable(path: partial, reason: sink.failure ?? Self.message(writer))
    }
    archive_write_free(writer)
    finished = true
    do {
      // A write the disk refused late is an error here, before the rename.
      try sink.file.sync()
      sink.file.close()
      try files.move(partial, to: path)
    } catch {
      try? files.remove(partial)
      throw BundleError.unwritable(path: path, reason: (error as? FileSystemError)?.reason ?? "\(error)")
    }
    return sink.digest.finish()
  }

  static func message(_ archive: OpaquePointer) -> String {
    archive_error_string(archive).map { String(cString: $0) } ?? "libarchive failed"
  }
}
