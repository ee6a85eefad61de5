import Foundation
import SynapseLocalSystem

/// One file `generate` produces, relative to the project folder.
public struct GeneratedFile: Sendable, Equatable {
  public var path: String
  public var contents: String
  public var permissions: Int

  public init(path: String, contents: String, permissions: Int = 0o644) {
    self.path = path
    self.contents = contents
    self.permissions = permissions
  }
}
