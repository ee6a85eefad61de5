import Foundation

extension FileSystem {
  /// A new, empty folder in `parent` (created when missing) named `prefix` and a random part, as
  /// mkdtemp makes one: no one else can guess the name, and the folder is the caller's alone (0700).
  public func createUniqueFolder(in parent: String, prefix: String) throws -> String {
    try createDirectory(parent)
    while true {
      let path = parent + "/" + prefix + UUID().uuidString.prefix(12).lowercased()
      guard entry(path) == nil else { continue }
      try createDirectory(path, permissions: 0o700)
      return path
    }
  }
}
