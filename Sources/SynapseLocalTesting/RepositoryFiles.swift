import Foundation
import SynapseLocalCore
import SynapseLocalSystem

/// The repository's fixture files, read from the checkout once per folder: the fixture loader's
/// reads, so that tests copy them into memory and never read the disk themselves.
final class RepositoryFiles: @unchecked Sendable {
  static let shared = RepositoryFiles()
  private let lock = NSLock()
  private var read: [String: [(String, Data)]] = [:]

  /// Every file below `folder` (relative to the checkout), with its path relative to `folder`.
  func files(under folder: String) -> [(String, Data)] {
    lock.withLock {
      if let known = read[folder] { return known }
      let disk = RootedFileSystem()
      let source = Fixtures.repositoryRoot + "/" + folder
      let found = (disk.walk(source) ?? []).sorted().compactMap { name -> (String, Data)? in
        guard disk.entry(source + "/" + name)?.kind == .file, let bytes = disk.contents(source + "/" + name) else { return nil }
        return (name, bytes)
      }
      read[folder] = found
      return found
    }
  }
}
