import Foundation
import SynapseLocalSystem

public enum HardwareError: Error, Equatable, CustomStringConvertible {
  case unreadable(file: String, reason: String)
  case badHardwareFile(path: String, reason: String)

  public var description: String {
    switch self {
    case .unreadable(let file, let reason):
      "cannot read \(file): \(reason). If SYNAPSE_LOCAL_SYSROOT is set, check that it points at a folder holding proc/ and sys/."
    case .badHardwareFile(let path, let reason):
      "\(path) is not a hardware description: \(reason). Make one with `synapse-local detect --json > FILE` on the target machine."
    }
  }
}
