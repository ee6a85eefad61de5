import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

enum StatusTable {
  static func print(_ status: StackStatus, to output: any OutputSink, now: Date) {
    output.print(
      "project \(status.project) (supervisor pid \(status.supervisorPID))"
        + (status.statusPort.map { "; page at http://127.0.0.1:\($0)/, metrics at /metrics" } ?? ""))
    let header = ["SERVICE", "STATE", "PID", "UPTIME", "RESTARTS", "MEMORY", "PORT", "MODEL"]
    var rows = [header]
    for service in status.services {
      rows.append([
        service.name.rawValue, service.state.rawValue, service.pid.map(String.init) ?? "-",
        service.uptimeSeconds.map { duration($0) } ?? "-", String(service.restarts),
        service.rssBytes.map { ByteCount.format($0) } ?? "-", String(service.port), service.model ?? "",
      ])
    }
    let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
    for row in rows {
      output.print(
        row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ").trimmingCharacters(
          in: .whitespaces))
    }
    let idle = idleLines(status) + slowLines(status)
    if !idle.isEmpty { output.print("\n" + idle.joined(separator: "\n")) }
    if let swap = status.swap {
      output.print(
        "\nswap under way: \(swap.service.rawValue) \(swap.from ?? "?") -> \(swap.to ?? "?"), \(swap.mode.rawValue) mode, \(swap.phase.rawValue) for \(swap.elapsedMilliseconds / 1000) s"
      )
    } else if let last = status.lastSwap {
      output.print(
        "\nlast swap: \(last.service.rawValue) \(last.from ?? "?") -> \(last.model ?? "?"), \(last.mode.rawValue), \(last.switchMilliseconds) ms, \(last.heldRequests) request(s) held"
      )
    }
    let programs = status.services.compactMap { service in
      service.program.map { (service.name.rawValue, $0 + (service.programSource.map { " (\($0))" } ?? "")) }
    }
    if !programs.isEmpty {
      output.print("\nprograms")
      output.table(programs)
    }
    let exits = status.services.compactMap { lastExit($0, now: now) }
    if !exits.isEmpty { output.print("\n" + exits.joined(separator: "\n")) }
    for service in status.services {
      if let message = service.message { output.print("\n\(service.name.rawValue): \(message)") }
    }
  }

  /// "llm: last exit 2m5s ago: killed by signal 9 (SIGKILL), a crash (1 since up)", or "…, asked for".
  static func lastExit(_ service: ServiceStatus, now: Date) -> String? {
    guard let cause = service.lastExitCause ?? service.lastExit.map(ExitReport.cause) else { return nil }
    let ago = service.lastExitAt.map { " \(duration(max(0, Int(now.timeIntervalSince($0))))) ago" } ?? ""
    let kind =
      switch service.lastExitWasCrash {
      case true?: ", a crash (\(service.crashes) since up)"
      case false?: ", asked for (restart, down or swap)"
      case nil: ""
      }
    return "\(service.name.rawValue): last exit\(ago): \(cause)\(kind)"
  }

  static func duration(_ seconds: Int) -> String {
    seconds < 60 ? "\(seconds)s" : seconds < 3600 ? "\(seconds / 60)m\(seconds % 60)s" : "\(seconds / 3600)h\(seconds % 3600 / 60)m"
  }
}
