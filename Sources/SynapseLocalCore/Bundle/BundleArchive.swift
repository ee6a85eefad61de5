import CArchive
import Foundation

/// Writes a bundle: a tar (pax) stream compressed with zstd through libarchive, to `FILE.partial`,
/// renamed to FILE only once complete. Files are streamed in blocks and hashed on the way: memory
/// stays constant whatever their sizes.
final class BundleArchiveWriter {
  let path: String
  let partial: String
  private let writer: OpaquePointer
  private var buffer = [UInt8](repeating: 0, count: 1 << 20)
  private var finished = false

  init(path: String) throws(BundleError) {
    self.path = path
    partial = path + ".partial"
    guard let writer = archive_write_new() else { throw .unwritable(path: path, reason: "libarchive could not start") }
    self.writer = writer
    archive_write_set_format_pax_restricted(writer)
    // zstd's default level, as tar --zstd uses; one compression thread (zstd's own workers would
    // double the memory), fed by a reader thread that hashes (`add(_:file:)`).
    archive_write_add_filter_zstd(writer)
    // Whole blocks of 1 MiB: libarchive pads the last one.
    archive_write_set_bytes_per_block(writer, 1 << 20)
    guard archive_write_open_filename(writer, partial) == ARCHIVE_OK else {
      let reason = Self.message(writer)
      archive_write_free(writer)
      throw .unwritable(path: partial, reason: reason)
    }
  }

  deinit {
    if !finished {
      archive_write_free(writer)
      unlink(partial)
    }
  }

  /// Adds `file` as `name`; returns its sha256. A reader thread reads and hashes the file into a
  /// few blocks while this one compresses the ones before: the pipeline `tar | zstd` gets from two
  /// processes, in constant memory. `progress` hears each block's size.
  func add(_ name: String, file: String, mode: Int32 = 0o644, size: UInt64, progress: (UInt64) -> Void) throws -> String {
    let descriptor = open(file, O_RDONLY)
    guard descriptor >= 0 else { throw BundleError.unreadable(path: file, reason: String(cString: strerror(errno))) }
    defer { close(descriptor) }
    try header(name, size: size, mode: mode)
    let ring = BlockRing(descriptor: descriptor)
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

  /// Closes the stream and renames it into place.
  func finish() throws {
    guard archive_write_close(writer) == ARCHIVE_OK else { throw BundleError.unwritable(path: partial, reason: Self.message(writer)) }
    archive_write_free(writer)
    finished = true
    guard rename(partial, path) == 0 else {
      unlink(partial)
      throw BundleError.unwritable(path: path, reason: String(cString: strerror(errno)))
    }
  }

  static func message(_ archive: OpaquePointer) -> String {
    archive_error_string(archive).map { String(cString: $0) } ?? "libarchive failed"
  }
}

/// Blocks of a file read and hashed on a thread of their own, handed to the writer in order.
final class BlockRing: @unchecked Sendable {
  static let slots = 4
  static let blockSize = 1 << 20
  private let descriptor: Int32
  private let memory = UnsafeMutableRawPointer.allocate(byteCount: BlockRing.slots * BlockRing.blockSize, alignment: 64)
  private var counts = [Int](repeating: 0, count: BlockRing.slots)
  private let free = DispatchSemaphore(value: BlockRing.slots)
  private let filled = DispatchSemaphore(value: 0)
  private let done = DispatchSemaphore(value: 0)
  private let digest = Digest(.sha256)
  private var stop = false
  private var error: String?
  private var slot = 0

  init(descriptor: Int32) { self.descriptor = descriptor }

  deinit { memory.deallocate() }

  func block(_ slot: Int) -> UnsafeMutableRawPointer { memory + slot * Self.blockSize }

  func start() {
    let thread = Thread { [self] in
      var slot = 0
      while true {
        free.wait()
        if stop { break }
        let count = read(descriptor, block(slot), Self.blockSize)
        if count < 0 { error = String(cString: strerror(errno)) }
        if count > 0 { digest.update(UnsafeRawBufferPointer(start: block(slot), count: count)) }
        counts[slot] = max(count, 0)
        filled.signal()
        if count <= 0 { break }
        slot = (slot + 1) % Self.slots
      }
      done.signal()
    }
    thread.start()
  }

  /// The next filled block, or nil at the end of the file.
  func next() -> (Int, Int)? {
    filled.wait()
    let current = slot
    guard counts[current] > 0 else { return nil }
    slot = (slot + 1) % Self.slots
    return (current, counts[current])
  }

  func release(_ slot: Int) { free.signal() }

  /// Stops the reader (if the writer stopped early) and returns the digest and any read error.
  func finish() -> (String, String?) {
    stop = true
    for _ in 0..<Self.slots { free.signal() }
    done.wait()
    return (digest.finish(), error)
  }
}

/// Reads a bundle member by member, streaming each member's bytes in blocks.
struct BundleArchiveReader {
  struct Member {
    var name: String
    var size: UInt64
    var isRegularFile: Bool
    var mode: mode_t
  }

  let path: String

  /// Calls `body` for each member with a function that streams its bytes to a consumer.
  func readMembers(_ body: (Member, _ stream: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws -> Void) throws {
    guard let reader = archive_read_new() else { throw BundleError.unreadable(path: path, reason: "libarchive could not start") }
    defer { archive_read_free(reader) }
    archive_read_support_filter_zstd(reader)
    archive_read_support_format_tar(reader)
    guard archive_read_open_filename(reader, path, 1 << 20) == ARCHIVE_OK else {
      throw BundleError.unreadable(path: path, reason: BundleArchiveWriter.message(reader))
    }
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    var entry: OpaquePointer?
    while true {
      let status = archive_read_next_header(reader, &entry)
      if status == ARCHIVE_EOF { break }
      guard status == ARCHIVE_OK, let entry else { throw failure(reader) }
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
          guard count > 0 else { throw failure(reader) }
          try buffer.withUnsafeBytes { try consumer(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
      }
      if !consumed, archive_read_data_skip(reader) != ARCHIVE_OK { throw failure(reader) }
    }
  }

  /// A truncated stream, or another read error.
  func failure(_ reader: OpaquePointer) -> BundleError {
    let message = BundleArchiveWriter.message(reader)
    let lowered = message.lowercased()
    if lowered.contains("truncated") || lowered.contains("premature") || lowered.contains("unexpected end") {
      return .truncated(path: path)
    }
    return .unreadable(path: path, reason: message)
  }
}
