import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct CancellationByUser: Error, CustomStringConvertible {
  var description: String { "stopped by a signal; the engine started for the measurement was stopped" }
}
