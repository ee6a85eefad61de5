import Foundation
import SynapseLocalSystem

/// `ports`: every planned port is free, or held by this project's own running service; anything
/// else is named with its process.
public struct PortsCheck: DoctorCheck {
  public let id = "ports"
  public init() {}

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    let c = subject.configuration
    let owner = subject.context.ports.owner(of:)
    var planned: [(ServiceName, Int)] = [(.db, c.db.port), (.llm, c.llm.port), (.embedding, c.embedding.port)]
    if c.backend.enabled { planned.append((.backend, c.backend.port)) }
    if c.frontend.enabled { planned.append((.frontend, c.frontend.port)) }
    var own: [String] = []
    // The supervisor's own status port: held by it while the stack runs.
    if let holder = owner(c.status.port) {
      if subject.stack != nil {
        own.append("\(c.status.port) (status port)")
      } else {
        return .failure(
          id, "port \(c.status.port), the status port (metrics), is taken by \(holder.isEmpty ? "another process" : holder)",
          fix: "stop that process, or set status.port in synapse-local.yaml to a free port")
      }
    }
    for (name, port) in planned {
      guard let holder = owner(port) else { continue }
      if let service = subject.service(name), service.port == port, service.state != .stopped {
        own.append("\(port) (\(name.rawValue))")
        continue
      }
      let who = holder.isEmpty ? "another process" : holder
      if holder.contains("docker") {
        // A compose stack of this project publishes the same ports.
        return .warning(
          id,
          "port \(port), planned for \(name.rawValue), is published by \(who): a compose stack (docker-compose.local.yml) may be running",
          fix: "docker compose -f docker-compose.local.yml down before `synapse-local up`, or use one of the two")
      }
      return .failure(
        id, "port \(port), planned for \(name.rawValue), is taken by \(who)",
        fix:
          "stop that process, or give \(name.rawValue) another port: \(name.rawValue).port in synapse-local.yaml, then synapse-local generate\(subject.projectFlag)"
      )
    }
    return .ok(
      id, own.isEmpty ? "every planned port is free" : "held by this project's services: \(own.joined(separator: ", ")); the rest free")
  }
}
