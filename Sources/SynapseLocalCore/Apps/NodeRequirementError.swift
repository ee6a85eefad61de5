import Foundation
import SynapseLocalSystem

/// A Node requirement that cannot be read.
public struct NodeRequirementError: Error, CustomStringConvertible, Sendable {
  public var text: String
  public var description: String {
    "'\(text)' is not a Node version requirement (examples: >=20, ^20.11, 20.x, lts/iron)"
  }
}
