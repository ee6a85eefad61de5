import Foundation
import SynapseLocalSystem

/// One frame of `status --watch`: the stack's services as a table that fits `width` columns,
/// then what needs a person's eye (a swap, a slow engine, the last exits, a failure). Columns
/// leave from the least needed as the terminal narrows; a line that still does not fit is cut
/// with "…". A stopped stack says so, and how to start it.
public enum StatusFrame {
  /// The table's columns, most needed first: the narrowest terminal keeps the first ones.
  static let columns: [(title: String, value: @Sendable (ServiceStatus) -> String)] = [
    ("SERVICE", { $0.name.rawValue }),
    ("STATE", { $0.state.rawValue }),
    ("RESTARTS", { String($0.restarts) }),
    ("MEMORY", { $0.rssBytes.map { ByteCount.format($0) } ?? "-" }),
    ("UPTIME", { $0.uptimeSeconds.map(duration) ?? "-" }),
    ("PORT", { String($0.port) }),
    ("MODEL", { $0.servedName ?? $0.model ?? "" }),
    ("PID", { $0.pid.map(String.init) ?? "-" }),
  ]

  public static func render(_ answer: StackStatusReader.Answer?, problem: String? = nil, width: Int, now: Date) -> [String] {
    let width = max(20, width)
    var lines: [String] = []
    let clock = now.formatted(Date.ISO8601FormatStyle(timeZone: .current).time(includingFractionalSeconds: false).timeSeparator(.colon))
    switch answer {
    case .running(let status)?:
      lines.append("\(status.project): running, supervisor pid \(status.supervisorPID), \(clock)")
      lines.append("")
      lines += table(status.services, width: width)
      lines += notes(status, now: now)
      let page = status.statusPort.map { "; page: http://127.0.0.1:\($0)/" } ?? ""
      lines.append("")
      lines.append("q or Ctrl-C leaves; redrawn every second\(page)")
    case .stopped(let stopped)?:
      lines.append("\(stopped.project): stopped, \(clock)")
      if let failure = stopped.lastStartFailure { lines.append("its last start failed: \(failure)") }
      lines.append("")
      lines.append("Watching for it to start (synapse-local up -d --project \(stopped.project)).")
      lines.append("q or Ctrl-C leaves")
    case nil:
      lines.append("no status yet, \(clock)")
    }
    if let problem { lines += ["", "could not read the status: \(problem)"] }
    return lines.map { cut($0, to: width) }
  }

  /// The widest set of leading columns that fits, two spaces apart.
  static func table(_ services: [ServiceStatus], width: Int) -> [String] {
    let cells = columns.map { column in [column.title] + services.map(column.value) }
    let widths = cells.map { $0.map(DisplayWidth.of).max() ?? 0 }
    var shown = 1
    while shown < columns.count, widths[0...shown].reduce(0, +) + 2 * shown <= width { shown += 1 }
    return (0...services.count).map { row in
      (0..<shown).map { column in DisplayWidth.padded(cells[column][row], to: widths[column]) }.joined(separator: "  ")
        .trimmingCharacters(in: .whitespaces)
    }
  }

  /// A swap under way or the last one, a slow engine's figures, exits, and failures' reasons.
  static func notes(_ status: StackStatus, now: Date) -> [String] {
    var notes: [String] = []
    if let swap = status.swap {
      notes.append(
        "swap under way: \(swap.service.rawValue) \(swap.from ?? "?") -> \(swap.to ?? "?"), \(swap.mode.rawValue) mode, "
          + "\(swap.phase.rawValue) for \(swap.elapsedMilliseconds / 1000) s")
    } else if let last = status.lastSwap {
      notes.append(
        "last swap: \(last.service.rawValue) \(last.from ?? "?") -> \(last.model ?? "?"), \(last.mode.rawValue), "
          + "\(last.switchMilliseconds) ms, \(last.heldRequests) request(s) held")
    }
    for service in status.services {
      if let slow = service.slowness { notes.append("\(service.name.rawValue): slow: \(slow.summary)") }
      if service.wakes > 0 { notes.append("\(service.name.rawValue): woken \(service.wakes) time(s) from idle") }
      if let cause = service.lastExitCause, let at = service.lastExitAt {
        let kind = service.lastExitWasCrash == true ? "a crash" : "asked for"
        notes.append("\(service.name.rawValue): last exit \(duration(max(0, Int(now.timeIntervalSince(at))))) ago: \(cause), \(kind)")
      }
      // A failure's reason, without the log lines that follow it (`logs` shows those).
      if let message = service.withoutLogTail.message, let first = message.split(separator: "\n").first {
        notes.append("\(service.name.rawValue): \(first)")
      }
    }
    return notes.isEmpty ? [] : [""] + notes
  }

  /// `line` in at most `width` columns, ending in "…" when cut.
  static func cut(_ line: String, to width: Int) -> String {
    guard DisplayWidth.of(line) > width else { return line }
    var kept = ""
    var used = 0
    for character in line {
      let columns = DisplayWidth.of(String(character))
      if used + columns > width - 1 { break }
      kept.append(character)
      used += columns
    }
    return kept + "…"
  }

  static func duration(_ seconds: Int) -> String {
    seconds < 60 ? "\(seconds)s" : seconds < 3600 ? "\(seconds / 60)m\(seconds % 60)s" : "\(seconds / 3600)h\(seconds % 3600 / 60)m"
  }
}
