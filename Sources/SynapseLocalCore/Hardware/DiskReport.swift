import Foundation
import SynapseLocalSystem

public struct DiskReport: Codable, Sendable, Equatable {
  /// The model store (Hugging Face cache) the figure is for.
  public var path: String
  public var freeBytes: UInt64?

  public init(path: String, freeBytes: UInt64?) {
    self.path = path
    self.freeBytes = freeBytes
  }

  enum CodingKeys: String, CodingKey {
    case path
    case freeBytes = "free_bytes"
  }
}
