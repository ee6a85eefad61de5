import Foundation
import SynapseLocalSystem

/// What the status page reads from the supervisor besides its status: the chat engine's own
/// figures, and where each service logs.
extension Supervisor {
  /// The chat engine's `/metrics` now, with the name it serves; nil while it is not healthy.
  /// The reading also goes into `/metrics`' totals, as a scrape's does.
  public func engineReading() async -> (model: String?, reading: EngineReading)? {
    guard let llm = status().services.first(where: { $0.name == .llm }), [.healthy, .degraded].contains(llm.state),
      let port = llm.enginePort,
      let reading = await readEngine(.llm, port: port, model: llm.model)
    else { return nil }
    return (llm.model, reading)
  }

  /// Each service's log, with the paths of the supervisor's own requests to it.
  public func logSources() -> [StatusBoard.LogSource] {
    specs.map { spec in
      StatusBoard.LogSource(
        service: spec.name, path: settings.logFolder + "/\(spec.name.rawValue).log",
        probePaths: ProbeLines.paths(spec.health, service: spec.name))
    }
  }
}
