import Foundation
import SynapseLocalSystem

/// Where the database lives and as whom it runs. PostgreSQL refuses to run as root, so under root it
/// runs as `nobody`, which must be able to reach its folders: when the project's state folder is
/// out of its reach (a project under root's 0700 home), the data goes to /var/tmp and we say so.
public struct PostgresLayout: Sendable, Equatable {
  public var dataDirectory: String
  public var socketDirectory: String
  /// The unprivileged user (nil: run as ourselves).
  public var user: String?
  public var uid: uid_t
  public var gid: gid_t
  /// Why the data is not in the state folder, when it is not.
  public var relocation: String?

  public init(dataDirectory: String, socketDirectory: String, user: String?, uid: uid_t, gid: gid_t, relocation: String?) {
    self.dataDirectory = dataDirectory
    self.socketDirectory = socketDirectory
    self.user = user
    self.uid = uid
    self.gid = gid
    self.relocation = relocation
  }

  public static let unprivilegedUser = "nobody"

  public static func plan(state: String, project: String, files: any FileSystem) throws -> PostgresLayout {
    // Everything PostgreSQL owns sits in one folder of its own, `pg/`: under root only that folder
    // is given to the unprivileged user, never the state folder with the secrets and pid files.
    guard getuid() == 0 else {
      return PostgresLayout(
        dataDirectory: state + "/pg/db", socketDirectory: state + "/pg/run", user: nil, uid: getuid(), gid: getgid(), relocation: nil)
    }
    guard let entry = getpwnam(unprivilegedUser) else {
      throw StackError.cannotStart(
        service: .db,
        reason:
          "running as root, PostgreSQL needs an unprivileged user, and '\(unprivilegedUser)' does not exist; run synapse-local as a normal user"
      )
    }
    let (uid, gid) = (entry.pointee.pw_uid, entry.pointee.pw_gid)
    if let blocked = firstBlockedAncestor(of: state, files: files) {
      let digest = Digest.hex(.sha256, Array(project.utf8)).prefix(12)
      let base = "/var/tmp/synapse-local-\(digest)"
      try claimSharedFolder(base, files: files)
      return PostgresLayout(
        dataDirectory: base + "/pg/db", socketDirectory: base + "/pg/run", user: unprivilegedUser, uid: uid, gid: gid,
        relocation:
          "PostgreSQL runs as '\(unprivilegedUser)', which cannot enter \(blocked); its data is kept in \(base)/pg/db instead (make \(blocked) enterable by others, e.g. chmod o+x, to keep it in the project)"
      )
    }
    return PostgresLayout(
      dataDirectory: state + "/pg/db", socketDirectory: state + "/pg/run", user: unprivilegedUser, uid: uid, gid: gid, relocation: nil)
  }

  /// A folder in world-writable /var/tmp is only used when we made it: a real directory (not a
  /// link someone planted), owned by root, that others may enter but not change.
  static func claimSharedFolder(_ path: String, files: any FileSystem) throws {
    try createFolder(path, permissions: 0o711, files: files)
    guard let entry = files.entry(path), entry.kind == .folder, entry.owner.user == 0, entry.permissions & 0o022 == 0 else {
      throw StackError.cannotStart(
        service: .db, reason: "\(path) exists and was not made by synapse-local (a link, or owned by another user); remove it and run again"
      )
    }
  }

  /// The nearest folder above `path` that other users cannot enter.
  static func firstBlockedAncestor(of path: String, files: any FileSystem) -> String? {
    var folder = (path as NSString).deletingLastPathComponent
    var chain: [String] = []
    while !folder.isEmpty && folder != "/" {
      chain.append(folder)
      folder = (folder as NSString).deletingLastPathComponent
    }
    for candidate in chain.reversed() {
      guard let entry = files.resolvedEntry(candidate) else { continue }
      if entry.permissions & 0o001 == 0 { return candidate }
    }
    return nil
  }

  /// A folder made with exactly `permissions` (its missing parents too); one already there, or
  /// something else in its place, is left for the caller to check.
  static func createFolder(_ path: String, permissions: Int, files: any FileSystem) throws {
    do {
      try files.createDirectory(path, permissions: permissions)
    } catch {
      guard files.entry(path) == nil else { return }
      throw StackError.cannotStart(service: .db, reason: "cannot create \(path): \((error as? FileSystemError)?.reason ?? "\(error)")")
    }
  }

  /// The folder holding the data and the socket: the only one handed to the database's user.
  public var ownFolder: String { (dataDirectory as NSString).deletingLastPathComponent }

  /// Makes the folders (0700), owned by the database's user; links are not followed.
  public func prepare(files: any FileSystem) throws {
    // The folder above (the state folder) must let the database's user pass through to its own
    // folder: enterable by others (0711), not listable.
    let above = (ownFolder as NSString).deletingLastPathComponent
    try? files.createDirectory(above, permissions: 0o711)
    if user != nil, let entry = files.resolvedEntry(above), entry.permissions & 0o001 == 0 {
      try? files.setPermissions(entry.permissions | 0o011, of: above)
    }
    for folder in [ownFolder, dataDirectory, socketDirectory] {
      try Self.createFolder(folder, permissions: 0o700, files: files)
      guard files.entry(folder)?.kind == .folder else {
        throw StackError.cannotStart(service: .db, reason: "\(folder) is not a folder (a link?); remove it and run again")
      }
      if user != nil { try? files.setOwner(owner, of: folder) }
    }
  }

  /// The database's user and group, who owns its folders.
  public var owner: FileOwner { FileOwner(user: uid, group: gid) }

  /// A command for one of PostgreSQL's programs, switched to the database's user when there is one
  /// (setpriv executes the program in place: the pid stays the program's own).
  public func command(_ program: String, _ arguments: [String]) -> (String, [String]) {
    guard user != nil else { return (program, arguments) }
    return ("/usr/bin/setpriv", ["--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--", program] + arguments)
  }
}
