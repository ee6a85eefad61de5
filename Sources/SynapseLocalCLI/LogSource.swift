import ArgumentParser
import SynapseLocalCore
import SynapseLocalSystem

/// What `logs` prints: a service's log, or `supervisor`, the supervisor's own
/// (logs/supervisor.log: what `up -d` started, warnings, why a start failed).
struct LogSource: ExpressibleByArgument, Equatable {
  static let supervisor = LogReader.supervisor
  var name: String

  init?(argument: String) {
    guard argument == Self.supervisor || ServiceName(rawValue: argument) != nil else { return nil }
    name = argument
  }

  static var allValueStrings: [String] { ServiceName.allCases.map(\.rawValue) + [supervisor] }
}
