import SynapseLocalSystem

/// Why an archive was not extracted, in one line naming the member at fault.
public enum ArchiveError: Error, Equatable, CustomStringConvertible {
  case unreadable(path: String, reason: String)
  case unsafeMember(archive: String, member: String, reason: String)
  case tooLarge(archive: String, limitBytes: UInt64)
  case destinationExists(path: String)
  case unwritable(path: String, reason: String)

  public var description: String {
    switch self {
    case .unreadable(let path, let reason): "cannot read the archive \(path): \(reason)"
    case .unsafeMember(let archive, let member, let reason):
      "refused \(archive): its member \(member) \(reason); nothing was extracted"
    case .tooLarge(let archive, let limit):
      "refused \(archive): it extracts to more than \(ByteCount.format(limit)) (an archive bomb, or not the runtime expected); nothing was kept"
    case .destinationExists(let path): "\(path) already exists; remove it first"
    case .unwritable(let path, let reason): "cannot write \(path): \(reason)"
    }
  }
}
