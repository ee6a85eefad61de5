import Foundation
import SynapseLocalSystem

/// The status page at the status port's `/`: `templates/status/index.html.mustache` rendered with
/// the current snapshot, so it reads whole without JavaScript, and the two files its JavaScript and
/// style are in (`status.js` updates the page from `/api/events`). Every value goes in through
/// Mustache's `{{…}}`, which escapes it for HTML: a model's name is text, never markup.
public struct StatusPage: Sendable {
  /// `templates/status`.
  public var folder: String
  public var files: any FileSystem

  public init(folder: String, files: any FileSystem) {
    self.folder = folder
    self.files = files
  }

  /// The files served beside the page, by path, and their types.
  public static let assets = [
    "/status.js": ("status.js", "text/javascript; charset=utf-8"), "/status.css": ("status.css", "text/css; charset=utf-8"),
  ]

  public func asset(_ path: String) throws -> (type: String, body: [UInt8])? {
    guard let (name, type) = Self.assets[path] else { return nil }
    guard let data = files.contents(folder + "/" + name) else { throw GenerateError.templateMissing(path: folder + "/" + name) }
    return (type, Array(data))
  }

  /// The page for a client (`loopback`: on this host, shown the log lines).
  public func render(_ snapshot: StatusSnapshot, loopback: Bool) throws -> String {
    let renderer = TemplateRenderer(folder: (folder as NSString).deletingLastPathComponent, files: files)
    return try renderer.render((folder as NSString).lastPathComponent + "/index.html", Self.values(snapshot.forClient(loopback: loopback)))
  }

  /// The template's values (also what a test reads).
  static func values(_ snapshot: StatusSnapshot) -> [String: Any] {
    let status = snapshot.status
    var values: [String: Any] = [
      "project": status.project, "supervisor_pid": String(status.supervisorPID), "updated": snapshot.madeAt.formatted(.iso8601),
      "services": status.services.map(row),
    ]
    if let swap = status.swap {
      values["swap"] =
        "\(swap.service.rawValue): \(swap.from ?? "?") → \(swap.to ?? "?"), \(swap.mode.rawValue) mode, \(swap.phase.rawValue) for \(duration(swap.elapsedMilliseconds / 1000))"
    }
    if let last = status.lastSwap {
      values["last_swap"] =
        "\(last.service.rawValue): \(last.from ?? "?") → \(last.model ?? "?"), \(last.mode.rawValue), done: switched in \(last.switchMilliseconds) ms, \(last.heldRequests) request(s) held"
    }
    let history = snapshot.throughput
    let top = ThroughputChart.scale(history.peak)
    values["chart"] = [
      "prompt": ThroughputChart.path(history.samples.map(\.speed.prompt), capacity: history.capacity, peak: top),
      "generation": ThroughputChart.path(history.samples.map(\.speed.generation), capacity: history.capacity, peak: top),
      "top": String(format: "%g", top), "minutes": String(history.intervalSeconds * history.capacity / 60),
      "latest": latest(history),
    ]
    if let logs = snapshot.logs {
      values["logs"] = status.services.map { service in
        ["service": service.name.rawValue, "text": (logs[service.name.rawValue] ?? []).joined(separator: "\n")]
      }
    } else {
      values["remote"] = true
    }
    return values
  }

  static func row(_ service: ServiceStatus) -> [String: Any] {
    var model = service.model ?? ""
    if let served = service.servedName, served != service.model { model += " (served as \(served))" }
    var row: [String: Any] = [
      "name": service.name.rawValue, "state": service.state.rawValue, "health": health(service),
      "uptime": service.uptimeSeconds.map(duration) ?? "–", "restarts": String(service.restarts),
      "memory": service.rssBytes.map(ByteCount.format) ?? "–", "port": String(service.port), "model": model,
    ]
    // Absent, not empty: Mustache's section takes any string as true. The log's lines, if any,
    // are in the logs below.
    if let message = service.withoutLogTail.message, !message.isEmpty { row["message"] = message }
    return row
  }

  /// The state's meaning for health, in words (status.js says the same).
  static func health(_ service: ServiceStatus) -> String {
    switch service.state {
    case .healthy: "passing"
    case .degraded:
      "passing, slow"
        + (service.slowness.map { String(format: ": %.1f of %.1f tok/s expected", $0.measuredTokensPerSecond, $0.expectedTokensPerSecond) }
          ?? "")
    case .unhealthy: "failing"
    case .starting: "not yet passing"
    case .restarting: "restarting"
    case .idle: "unloaded until a request"
    case .failed, .stopped: "not checked"
    }
  }

  static func latest(_ history: ThroughputHistory) -> String {
    guard let last = history.samples.last(where: { $0.speed.generation != nil || $0.speed.prompt != nil }) else {
      return "no tokens processed yet"
    }
    func figure(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "–" }
    return "last: prompt \(figure(last.speed.prompt)) tok/s, generation \(figure(last.speed.generation)) tok/s"
  }

  /// "42 s", "3m 05s", "2h 07m", "3d 4h".
  static func duration(_ seconds: Int) -> String {
    switch seconds {
    case ..<60: "\(seconds) s"
    case ..<3600: String(format: "%dm %02ds", seconds / 60, seconds % 60)
    case ..<86400: String(format: "%dh %02dm", seconds / 3600, seconds % 3600 / 60)
    default: "\(seconds / 86400)d \(seconds % 86400 / 3600)h"
    }
  }
}
