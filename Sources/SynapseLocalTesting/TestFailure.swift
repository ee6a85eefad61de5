import Foundation
import Subprocess
import SynapseLocalCore
import SynapseLocalSystem

public struct TestFailure: Error, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}
