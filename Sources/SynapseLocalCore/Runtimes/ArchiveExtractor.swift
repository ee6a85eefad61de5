import CArchive
import Foundation

/// Extracts a runtime's archive (tar, compressed with gzip, xz or zstd, or zip: recognised by content, not by name)
/// into a new folder, after checking every member: libarchive's own secure flags do not stop a
/// symlink whose target points outside. Refused, each in one line naming the member: absolute
/// paths and `..`; links that resolve outside the folder; device nodes and FIFOs; setuid and
/// setgid bits; more than `ratioLimit` times the archive's size, or more than `byteLimit`, once
/// extracted. A refusal leaves nothing behind. Data is streamed in blocks: memory stays constant
/// whatever the archive's size.
public struct ArchiveExtractor: Sendable {
  public var ratioLimit: UInt64 = 50
  public var byteLimit: UInt64 = 4 * ByteCount.gibibyte

  public init() {}

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
    guard !FileManager.default.fileExists(atPath: destination) else { throw ArchiveError.destinationExists(path: destination) }
    let archiveSize = (try? FileManager.default.attributesOfItem(atPath: archive)[.size] as? UInt64) ?? 0
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
      try FileManager.default.createDirectory(
        atPath: destination, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
    } catch {
      throw ArchiveError.unwritable(path: destination, reason: error.localizedDescription)
    }
    do {
      // Resolved once it exists: libarchive's symlink guard refuses a path through any link.
      let real = URL(fileURLWithPath: destination).resolvingSymlinksInPath().path
      return try write(archive, into: real, limit: limit)
    } catch {
      try? FileManager.default.removeItem(atPath: destination)
      throw error
    }
  }

  /// Opens the archive and calls `body` for each member's header.
  func read(_ archive: String, _ body: (_ reader: OpaquePointer, _ entry: OpaquePointer, Member) throws -> Void) throws {
    guard let reader = archive_read_new() else { throw ArchiveError.unreadable(path: archive, reason: "libarchive could not start") }
    defer { archive_read_free(reader) }
    archive_read_support_filter_all(reader)
    archive_read_support_format_tar(reader)
    archive_read_support_format_gnutar(reader)
    archive_read_support_format_zip(reader)
    guard archive_read_open_filename(reader, archive, 64 << 10) == ARCHIVE_OK else {
      throw ArchiveError.unreadable(path: archive, reason: Self.message(reader))
    }
    var entry: OpaquePointer?
    while true {
      let status = archive_read_next_header(reader, &entry)
      if status == ARCHIVE_EOF { break }
      guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else {
        throw ArchiveError.unreadable(path: archive, reason: Self.message(reader))
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

  /// The second pass: members written below `destination` through libarchive's disk writer, with
  /// its own secure flags as a second guard and no owner or special bits restored.
  func write(_ archive: String, into destination: String, limit: UInt64) throws -> Extraction {
    guard let disk = archive_write_disk_new() else {
      throw ArchiveError.unwritable(path: destination, reason: "libarchive could not start")
    }
    defer { archive_write_free(disk) }
    // Our own check refused absolute member paths already; the paths written are the destination's
    // (absolute, with no link in it: resolved before), so libarchive's absolute-path guard stays off.
    let flags =
      ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT
      | ARCHIVE_EXTRACT_NO_OVERWRITE
    archive_write_disk_set_options(disk, flags)
    var written: UInt64 = 0
    var files = 0
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    try read(archive) { reader, current, member in
      guard let entry = archive_entry_clone(current) else { return }
      defer { archive_entry_free(entry) }
      archive_entry_set_pathname(entry, destination + "/" + member.path)
      if let target = member.hardlink { archive_entry_set_hardlink(entry, destination + "/" + target) }
      archive_entry_set_perm(entry, member.mode & 0o777)
      guard archive_write_header(disk, entry) == ARCHIVE_OK else {
        throw ArchiveError.unwritable(path: destination + "/" + member.path, reason: Self.message(disk))
      }
      if member.type == Kind.regular { files += 1 }
      while true {
        let count = buffer.withUnsafeMutableBytes { archive_read_data(reader, $0.baseAddress, $0.count) }
        if count == 0 { break }
        guard count > 0 else { throw ArchiveError.unreadable(path: archive, reason: Self.message(reader)) }
        written += UInt64(count)
        if written > limit { throw ArchiveError.tooLarge(archive: archive, limitBytes: limit) }
        let put = buffer.withUnsafeBytes { archive_write_data(disk, $0.baseAddress, count) }
        guard put == count else { throw ArchiveError.unwritable(path: destination + "/" + member.path, reason: Self.message(disk)) }
      }
      guard archive_write_finish_entry(disk) == ARCHIVE_OK else {
        throw ArchiveError.unwritable(path: destination + "/" + member.path, reason: Self.message(disk))
      }
    }
    return Extraction(files: files, bytes: written)
  }
}
