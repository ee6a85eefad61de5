import CArchive
import Foundation
import SynapseLocalSystem

/// Extracts a runtime's archive (tar, compressed with gzip, xz or zstd, or zip: recognised by content, not by name)
/// into a new folder, after checking every member: libarchive's own secure flags do not stop a
/// symlink whose target points outside. Refused, each in one line naming the member: absolute
/// paths and `..`; links that resolve outside the folder; device nodes and FIFOs; setuid and
/// setgid bits; more than `ratioLimit` times the archive's size, or more than `byteLimit`, once
/// extracted. A refusal leaves nothing behind. Data is streamed in blocks: memory stays constant
/// whatever the archive's size.
public struct ArchiveExtractor: Sendable {
  public var files: any FileSystem
  public var ratioLimit: UInt64 = 50
  public var byteLimit: UInt64 = 4 * ByteCount.gibibyte

  public init(files: any FileSystem) {
    self.files = files
  }

  public struct Extraction: Sendable, Equatable {
    public var files: Int
    public var bytes: UInt64
  }

  /// File types as libarchive reports them (its AE_IF* macros carry casts Swift does not import).
  enum Kind {
    static let regular: mode_t = 0o100000
    static let directory: mode_t = 0o040000
    static let symlink: mode_t = 0o120000
    static let character: mode_t = 0o020000
    static let block: mode_t = 0o060000
    static let fifo: mode_t = 0o010000
    static let socket: mode_t = 0o140000
  }

  /// A member as the check sees it.
  struct Member: Equatable {
    var path: String
    var type: mode_t
    var mode: mode_t
    var size: Int64
    var symlink: String?
    var hardlink: String?
  }

  /// Extracts `archive` into `destination`, which must not exist yet.
  public func extract(_ archive: String, into destination: String) throws -> Extraction {
    guard files.entry(destination) == nil else { throw ArchiveError.destinationExists(path: destination) }
    let archiveSize = files.size(archive) ?? 0
    let limit = min(byteLimit, max(archiveSize, 1) * ratioLimit)
    // First pass: every member checked before anything is written.
    var declared: UInt64 = 0
    var seen: Set<String> = []
    var members: [Member] = []
    try read(archive) { reader, _, member in
      try check(member, archive: archive, earlier: seen)
      seen.insert(normalized(member.path))
      members.append(member)
      declared += UInt64(max(member.size, 0))
      if declared > limit { throw ArchiveError.tooLarge(archive: archive, limitBytes: limit) }
      archive_read_data_skip(reader)
    }
    try checkLinkChains(members, archive: archive)
    // Second pass: write, counting what is really written (a member may hold more than it said).
    do {
      try files.createDirectory(destination, permissions: 0o755)
    } catch {
      throw ArchiveError.unwritable(path: destination, reason: ArchiveSource.reason(error))
    }
    do {
      return try write(archive, into: destination, limit: limit)
    } catch {
      try? files.remove(destination)
      throw error
    }
  }

  /// Opens the archive and calls `body` for each member's header.
  func read(_ archive: String, _ body: (_ reader: OpaquePointer, _ entry: OpaquePointer, Member) throws -> Void) throws {
    let source: ArchiveSource
    do {
      source = try ArchiveSource(files.open(archive, .read))
    } catch {
      throw ArchiveError.unreadable(path: archive, reason: ArchiveSource.reason(error))
    }
    // libarchive reads through a raw pointer to it: it must outlive the reader.
    defer { withExtendedLifetime(source) {} }
    guard let reader = archive_read_new() else { throw ArchiveError.unreadable(path: archive, reason: "libarchive could not start") }
    defer { archive_read_free(reader) }
    archive_read_support_filter_all(reader)
    archive_read_support_format_tar(reader)
    archive_read_support_format_gnutar(reader)
    archive_read_support_format_zip(reader)
    archive_read_set_callback_data(reader, Unmanaged.passUnretained(source).toOpaque())
    archive_read_set_read_callback(reader) { _, client, buffer in
      guard let client, let buffer else { return -1 }
      let source = Unmanaged<ArchiveSource>.fromOpaque(client).takeUnretainedValue()
      buffer.pointee = UnsafeRawPointer(source.block)
      return source.read()
    }
    archive_read_set_skip_callback(reader) { _, client, count in
      guard let client else { return -1 }
      return Unmanaged<ArchiveSource>.fromOpaque(client).takeUnretainedValue().skip(count)
    }
    // A zip is read from its central directory, at its end.
    archive_read_set_seek_callback(reader) { _, client, offset, whence in
      guard let client else { return -1 }
      return Unmanaged<ArchiveSource>.fromOpaque(client).takeUnretainedValue().seek(offset, whence: whence)
    }
    guard archive_read_open1(reader) == ARCHIVE_OK else {
      throw ArchiveError.unreadable(path: archive, reason: source.failure ?? Self.message(reader))
    }
    var entry: OpaquePointer?
    while true {
      let status = archive_read_next_header(reader, &entry)
      if status == ARCHIVE_EOF { break }
      guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else {
        throw ArchiveError.unreadable(path: archive, reason: source.failure ?? Self.message(reader))
      }
      try body(reader, entry, Self.member(entry))
    }
  }

  static func member(_ entry: OpaquePointer) -> Member {
    Member(
      path: archive_entry_pathname(entry).map { String(cString: $0) } ?? "",
      type: archive_entry_filetype(entry), mode: archive_entry_perm(entry), size: archive_entry_size(entry),
      symlink: archive_entry_symlink(entry).map { String(cString: $0) },
      hardlink: archive_entry_hardlink(entry).map { String(cString: $0) })
  }

  static func message(_ reader: OpaquePointer) -> String {
    archive_error_string(reader).map { String(cString: $0) } ?? "not an archive this tool reads (tar, tar.gz, tar.zst or zip)"
  }

  /// The path with `.` parts and trailing slashes removed (`./bin/` is `bin`).
  func normalized(_ path: String) -> String {
    path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
  }

  /// Why a member may not be extracted, as an error; nothing when it may.
  func check(_ member: Member, archive: String, earlier: Set<String>) throws {
    func refuse(_ reason: String) -> ArchiveError { .unsafeMember(archive: archive, member: member.path, reason: reason) }
    let parts = member.path.split(separator: "/", omittingEmptySubsequences: true)
    if member.path.hasPrefix("/") { throw refuse("has an absolute path") }
    if parts.contains("..") { throw refuse("has a '..' component") }
    if parts.isEmpty && member.type != Kind.directory { throw refuse("has no name") }
    switch member.type {
    case Kind.regular, Kind.directory: break
    case Kind.symlink:
      guard let target = member.symlink, !target.isEmpty else { throw refuse("is a link with no target") }
      // Resolved from the link's own folder, it must stay inside the install folder.
      if target.hasPrefix("/") || !Self.staysInside(base: parts.dropLast().map(String.init), relative: target) {
        throw refuse("is a link to \(target), outside the install folder")
      }
    case Kind.character, Kind.block: throw refuse("is a device node")
    case Kind.fifo: throw refuse("is a FIFO")
    case Kind.socket: throw refuse("is a socket")
    default:
      // A hard link is a regular entry naming another member.
      if member.hardlink == nil { throw refuse("is of a kind runtimes never hold") }
    }
    if let target = member.hardlink {
      if target.hasPrefix("/") || !Self.staysInside(base: [], relative: target) {
        throw refuse("is a hard link to \(target), outside the install folder")
      }
      if !earlier.contains(normalized(target)) { throw refuse("is a hard link to \(target), which the archive does not hold before it") }
    }
    if member.mode & (S_ISUID | S_ISGID) != 0 { throw refuse("is setuid or setgid") }
  }

  /// The lexical check of one link cannot see another: with `b -> .`, the link
  /// `e -> b/b/b/../../../etc` stays inside on paper and resolves outside on disk. So no path may
  /// pass through a link the archive holds: not a member's own folder, not a link's or a hard
  /// link's target (a link may still name another link as its last part; that one is checked on
  /// its own).
  func checkLinkChains(_ members: [Member], archive: String) throws {
    let links = Set(members.filter { $0.type == Kind.symlink }.map { normalized($0.path) })
    guard !links.isEmpty else { return }
    for member in members {
      func refuse(_ reason: String) -> ArchiveError { .unsafeMember(archive: archive, member: member.path, reason: reason) }
      let parts = normalized(member.path).split(separator: "/").map(String.init)
      if let link = Self.linkPassedThrough(base: [], relative: parts.dropLast().joined(separator: "/"), links: links, last: true) {
        throw refuse("lies below the link \(link)")
      }
      if member.type == Kind.symlink, let target = member.symlink,
        let link = Self.linkPassedThrough(base: Array(parts.dropLast()), relative: target, links: links, last: false)
      {
        throw refuse("is a link to \(target), through the link \(link)")
      }
      if let target = member.hardlink, let link = Self.linkPassedThrough(base: [], relative: target, links: links, last: true) {
        throw refuse("is a hard link to \(target), through the link \(link)")
      }
    }
  }

  /// The first link among the folders `relative` passes through, followed from `base`; with `last`,
  /// its final part counts too.
  static func linkPassedThrough(base: [String], relative: String, links: Set<String>, last: Bool) -> String? {
    var path = base
    let parts = relative.split(separator: "/", omittingEmptySubsequences: true)
    for (index, part) in parts.enumerated() {
      switch part {
      case ".": continue
      case "..": if !path.isEmpty { path.removeLast() }
      default: path.append(String(part))
      }
      let isLast = index == parts.count - 1
      if !isLast || last, part != ".", part != "..", links.contains(path.joined(separator: "/")) {
        return path.joined(separator: "/")
      }
      // `..` out of a folder reached through a link was caught when the link was passed.
    }
    return nil
  }

  /// Whether `relative`, followed from the folder `base` (parts below the root), stays below it.
  static func staysInside(base: [String], relative: String) -> Bool {
    var depth = base
    for part in relative.split(separator: "/", omittingEmptySubsequences: true) {
      switch part {
      case ".": continue
      case "..":
        if depth.isEmpty { return false }
        depth.removeLast()
      default: depth.append(String(part))
      }
    }
    return true
  }

  /// The second pass: each member written below `destination` through the file system, never
  /// over anything already there (a file is created new, not following a link; a link or a hard
  /// link is put only where nothing stands), never through a link (a second guard behind
  /// `checkLinkChains`), with its permission bits and no owner or special bits. Folders get their
  /// mode and time last, once nothing more is written into them.
  func write(_ archive: String, into destination: String, limit: UInt64) throws -> Extraction {
    var written: UInt64 = 0
    var count = 0
    var folders: [(path: String, mode: Int, modified: Date?)] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    try read(archive) { reader, entry, member in
      let relative = normalized(member.path)
      let path = relative.isEmpty ? destination : destination + "/" + relative
      func fail(_ error: any Error) -> ArchiveError {
        error as? ArchiveError ?? .unwritable(path: path, reason: ArchiveSource.reason(error))
      }
      let mode = Int(member.mode & 0o777)
      let modified =
        archive_entry_mtime_is_set(entry) != 0
        ? Date(timeIntervalSince1970: Double(archive_entry_mtime(entry)) + Double(archive_entry_mtime_nsec(entry)) / 1e9) : nil
      var file: (any OpenFile)?
      do {
        try placeParent(of: relative, in: destination)
        if let target = member.hardlink {
          try files.placeWithoutReplacing(destination + "/" + normalized(target), at: path)
        } else if member.type == Kind.directory {
          if files.entry(path) == nil { try files.createDirectory(path, permissions: mode | 0o700) }
          guard files.entry(path)?.kind == .folder else { throw ArchiveError.unwritable(path: path, reason: "File exists") }
          folders.append((path, mode, modified))
        } else if member.type == Kind.symlink, let target = member.symlink {
          guard files.entry(path) == nil else { throw ArchiveError.unwritable(path: path, reason: "File exists") }
          try files.createLink(path, to: target)
        } else {
          file = try files.open(path, .createNew, permissions: mode)
        }
      } catch {
        throw fail(error)
      }
      if member.type == Kind.regular { count += 1 }
      defer { file?.close() }
      while true {
        let got = buffer.withUnsafeMutableBytes { archive_read_data(reader, $0.baseAddress, $0.count) }
        if got == 0 { break }
        guard got > 0 else { throw ArchiveError.unreadable(path: archive, reason: Self.message(reader)) }
        written += UInt64(got)
        if written > limit { throw ArchiveError.tooLarge(archive: archive, limitBytes: limit) }
        do {
          try buffer.withUnsafeBytes { try file?.write(UnsafeRawBufferPointer(rebasing: $0[0..<got])) }
        } catch {
          throw fail(error)
        }
      }
      if let file {
        file.close()
        if let modified { try? files.setModified(modified, of: path) }
      }
    }
    // Deepest first: a folder's time is set once what is below it is done.
    for folder in folders.reversed() {
      do {
        if files.entry(folder.path)?.permissions != folder.mode { try files.setPermissions(folder.mode, of: folder.path) }
        if let modified = folder.modified { try? files.setModified(modified, of: folder.path) }
      } catch {
        throw ArchiveError.unwritable(path: folder.path, reason: ArchiveSource.reason(error))
      }
    }
    return Extraction(files: count, bytes: written)
  }

  /// Creates the folders above a member (below `destination`), refusing to pass through a link.
  func placeParent(of relative: String, in destination: String) throws {
    var path = destination
    for part in relative.split(separator: "/").dropLast() {
      path += "/" + part
      switch files.entry(path)?.kind {
      case nil: try files.createDirectory(path, permissions: 0o755)
      case .folder: continue
      case .link: throw ArchiveError.unwritable(path: path, reason: "a member lies below a link")
      default: throw ArchiveError.unwritable(path: path, reason: "Not a directory")
      }
    }
  }
}
