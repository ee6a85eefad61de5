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

  public static func plan(state: String, project: String) throws -> PostgresLayout {
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
    if let blocked = firstBlockedAncestor(of: state) {
      let digest = Digest.hex(.sha256, Array(project.utf8)).prefix(12)
      let base = "/var/tmp/synapse-local-\(digest)"
      try claimSharedFolder(base)
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
  static func claimSharedFolder(_ path: String) throws {
    if mkdir(path, 0o711) != 0 && errno != EEXIST {
      throw StackError.cannotStart(service: .db, reason: "cannot create \(path): \(String(cString: strerror(errno)))")
    }
    var info = stat()
    guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == 0, info.st_mode & 0o022 == 0 else {
      throw StackError.cannotStart(
        service: .db, reason: "\(path) exists and was not made by synapse-local (a link, or owned by another user); remove it and run again"
      )
    }
  }

  /// The nearest folder above `path` that other users cannot enter.
  static func firstBlockedAncestor(of path: String) -> String? {
    var folder = (path as NSString).deletingLastPathComponent
    var chain: [String] = []
    while !folder.isEmpty && folder != "/" {
      chain.append(folder)
      folder = (folder as NSString).deletingLastPathComponent
    }
    for candidate in chain.reversed() {
      var info = stat()
      guard stat(candidate, &info) == 0 else { continue }
      if info.st_mode & S_IXOTH == 0 { return candidate }
    }
    return nil
  }

  /// The folder holding the data and the socket: the only one handed to the database's user.
  public var ownFolder: String { (dataDirectory as NSString).deletingLastPathComponent }

  /// Makes the folders (0700), owned by the database's user; links are not followed.
  public func prepare() throws {
    // The folder above (the state folder) must let the database's user pass through to its own
    // folder: enterable by others (0711), not listable.
    let above = (ownFolder as NSString).deletingLastPathComponent
    if mkdir(above, 0o711) != 0 && errno == ENOENT {
      try? FileManager.default.createDirectory(atPath: above, withIntermediateDirectories: true)
    }
    if user != nil {
      var info = stat()
      if stat(above, &info) == 0 && info.st_mode & S_IXOTH == 0 { _ = chmod(above, (info.st_mode & 0o7777) | 0o011) }
    }
    for folder in [ownFolder, dataDirectory, socketDirectory] {
      if mkdir(folder, 0o700) != 0 && errno != EEXIST {
        do {
          try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
          throw StackError.cannotStart(service: .db, reason: "cannot create \(folder): \(error.localizedDescription)")
        }
      }
      var info = stat()
      guard lstat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
        throw StackError.cannotStart(service: .db, reason: "\(folder) is not a folder (a link?); remove it and run again")
      }
      if user != nil { _ = lchown(folder, uid, gid) }
    }
  }

  /// A command for one of PostgreSQL's programs, switched to the database's user when there is one
  /// (setpriv executes the program in place: the pid stays the program's own).
  public func command(_ program: String, _ arguments: [String]) -> (String, [String]) {
    guard user != nil else { return (program, arguments) }
    return ("/usr/bin/setpriv", ["--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--", program] + arguments)
  }
}
