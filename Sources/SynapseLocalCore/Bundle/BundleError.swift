import Foundation

/// Why a bundle was not written, read or imported: one line naming the member or the reason.
public enum BundleError: Error, Equatable, CustomStringConvertible, Sendable {
  case unreadable(path: String, reason: String)
  case truncated(path: String)
  case tampered(path: String, member: String, reason: String)
  case unknownMember(path: String, member: String)
  case missingMember(path: String, member: String)
  case noManifest(path: String)
  case newerFormat(path: String, format: Int)
  case wrongPlatform(path: String, bundle: String, here: String)
  case wrongPython(path: String, bundle: String, here: String)
  case lockDisagrees(path: String, reason: String)
  case cannotExport(reason: String)
  case unwritable(path: String, reason: String)
  case interrupted(path: String)

  public var description: String {
    switch self {
    case .unreadable(let path, let reason): "cannot read the bundle \(path): \(reason)"
    case .truncated(let path): "refused \(path): the archive ends early (truncated); copy it again. Nothing was imported"
    case .tampered(let path, let member, let reason):
      "refused \(path): its member \(member) \(reason); the bundle was altered or damaged. Nothing was imported"
    case .unknownMember(let path, let member):
      "refused \(path): its member \(member) is not in the manifest. Nothing was imported"
    case .missingMember(let path, let member):
      "refused \(path): the manifest lists \(member), which the archive does not hold. Nothing was imported"
    case .noManifest(let path): "refused \(path): no manifest.json before the data; not a synapse-local bundle"
    case .newerFormat(let path, let format):
      "refused \(path): bundle format \(format) is newer than this synapse-local reads (\(BundleManifest.currentFormat)); import it with the synapse-local inside it (tar --zstd -xf \(path) bin share)"
    case .wrongPlatform(let path, let bundle, let here):
      "refused \(path): it is for \(bundle), this machine is \(here); export again with --platform \(here)"
    case .wrongPython(let path, let bundle, let here):
      "refused \(path): its wheels are for Python \(bundle), this machine's python3 is \(here); export again with --python \(here)"
    case .lockDisagrees(let path, let reason): "refused \(path): the manifest's lock disagrees with the files: \(reason)"
    case .cannotExport(let reason): "cannot export: \(reason)"
    case .unwritable(let path, let reason): "cannot write \(path): \(reason)"
    case .interrupted(let path):
      "the import of \(path) was interrupted: nothing was imported (the store, the runtimes and the project are as they were)"
    }
  }
}
