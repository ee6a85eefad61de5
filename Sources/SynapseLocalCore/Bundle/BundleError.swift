import Foundation
import SynapseLocalSystem

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
  case unauthenticated(path: String)
  case digestMismatch(path: String, expected: String, actual: String)
  case unsigned(path: String, key: String)
  case badSignature(path: String, key: String, reason: String)
  case badKey(path: String, reason: String)
  case keyExists(path: String)
  case rollbackIncomplete(path: String, kept: [String], reason: String)
  case projectFileDiffers(path: String, file: String, reason: String)

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
    case .noManifest(let path):
      "refused \(path): it is a zstd tar archive but not a synapse-local bundle: it has no manifest.json (bundle export writes one before the data). Nothing was imported"
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
    case .unauthenticated(let path):
      "refused \(path): nothing proves it is the bundle that was exported; pass --sha256 HEX (printed by bundle export) or --trust PUBKEY (for a bundle signed with --sign), or --insecure-skip-verify to accept the risk. Nothing was imported"
    case .digestMismatch(let path, let expected, let actual):
      "refused \(path): its sha256 is \(actual), not \(expected) (--sha256): the bundle was altered or is another one, or the digest given is itself wrong (check where it came from: the line bundle export printed). Nothing was imported"
    case .unsigned(let path, let key):
      "refused \(path): it is not signed, and --trust \(key) asks for a signature; export it with --sign, or import it with --sha256 HEX. Nothing was imported"
    case .badSignature(let path, let key, let reason):
      "refused \(path): its manifest's signature \(reason) (--trust \(key)); the bundle was altered or signed by another key. Nothing was imported"
    case .projectFileDiffers(let path, let file, let reason):
      "refused \(path): \(file) exists and \(reason); pass --force to replace it, or --project DIR. Nothing was imported"
    case .badKey(let path, let reason): "cannot use the key \(path): \(reason)"
    case .keyExists(let path):
      "refused to overwrite \(path): a key is there already; pass --force to replace it (bundles signed with the old key then no longer verify with the new .pub)"
    case .rollbackIncomplete(let path, let kept, let reason):
      "the import of \(path) failed (\(reason)) and \(kept.count) replaced file(s) could not be put back: they are kept as \(kept.joined(separator: ", ")); move them back by hand"
    }
  }
}
