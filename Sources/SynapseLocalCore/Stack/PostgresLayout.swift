import Foundation

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
    guard getuid() == 0 else {
      return PostgresLayout(dataDirectory: state + "/db", socketDirectory: state + "/run", user: nil, uid: getuid(), gid: getgid(), relocation: nil)
    }
    guard let entry = getpwnam(unprivilegedUser) else {
      throw StackError.cannotStart(service: .db, reason: "running as root, PostgreSQL needs an unprivileged user, and '\(unprivilegedUser)' does not exist; run synapse-local as a normal user")
    }
    let (uid, gid) = (entry.pointee.pw_uid, entry.pointee.pw_gid)
    if let blocked = firstBlockedAncestor(of: state) {
      let digest = Digest.hex(.sha256, Array(project.utf8)).prefix(12)
      let base = "/var/tmp/synapse-local-\(digest)"
      return PostgresLayout(
        dataDirectory: base + "/db", socketDirectory: base + "/run", user: unprivilegedUser, uid: uid, gid: gid,
        relocation: "PostgreSQL runs as '\(unprivilegedUser)', which cannot enter \(blocked); its data is kept in \(base)/db instead (make \(blocked) enterable by others, e.g. chmod o+x, to keep it in the project)")
    }
    return PostgresLayout(dataDirectory: state + "/db", socketDirectory: state + "/run-db", user: unprivilegedUser, uid: uid, gid: gid, relocation: nil)
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

  /// Makes the folders (0700), owned by the database's user.
  public func prepare() throws {
    for folder in [dataDirectory, socketDirectory] {
      do {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
      } catch {
        throw StackError.cannotStart(service: .db, reason: "cannot create \(folder): \(error.localizedDescription)")
      }
      if user != nil { _ = chown(folder, uid, gid) }
    }
    if user != nil { _ = chown((dataDirectory as NSString).deletingLastPathComponent, uid, gid) }
  }

  /// A command for one of PostgreSQL's programs, switched to the database's user when there is one
  /// (setpriv executes the program in place: the pid stays the program's own).
  public func command(_ program: String, _ arguments: [String]) -> (String, [String]) {
    guard user != nil else { return (program, arguments) }
    return ("/usr/bin/setpriv", ["--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--", program] + arguments)
  }
}
