import SynapseLocalCore
import SynapseLocalSystem

/// `inspect --json`: the header's facts, the estimate, and for Hub files the bytes fetched.
struct InspectOutput: Encodable {
  var info: GGUFModelInfo
  var estimate: MemoryEstimate
  var transferredBytes: UInt64?

  enum CodingKeys: String, CodingKey {
    case estimate
    case transferredBytes = "transferred_bytes"
  }

  func encode(to encoder: any Encoder) throws {
    try info.encode(to: encoder)
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(estimate, forKey: .estimate)
    try c.encode(transferredBytes, forKey: .transferredBytes)
  }
}
