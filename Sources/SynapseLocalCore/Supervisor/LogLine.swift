import Foundation
import SynapseLocalSystem

/// One line of a log as `logs` prints it: whose log, when, and the text. `logs --json` writes one
/// per line (docs/stack.md): `time` is the time the line carries (PostgreSQL's, the supervisor's,
/// an app's ISO 8601 stamp), else that of the nearest earlier line of the same log that carries
/// one, else, while following, when the line was read; null when there is none.
public struct LogLine: Encodable, Sendable, Equatable {
  public var service: String
  public var time: Date?
  public var line: String

  public init(service: String, time: Date?, line: String) {
    self.service = service
    self.time = time
    self.line = line
  }

  enum CodingKeys: String, CodingKey { case service, time, line }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(service, forKey: .service)
    try c.encode(time.map { $0.formatted(Self.iso) }, forKey: .time)
    try c.encode(line, forKey: .line)
  }

  static let iso = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

  /// A log's text as lines, each given the time it carries or the one before it carried.
  public static func lines(_ text: String, service: String, timeZone: TimeZone = .current) -> [LogLine] {
    var last: Date?
    return text.split(separator: "\n").map { line in
      if let own = stamp(in: line, timeZone: timeZone) { last = own }
      return LogLine(service: service, time: last, line: String(line))
    }
  }

  /// Several logs as one, by time: each log keeps its own order, and a line with no time yet
  /// comes before every timed one.
  public static func merged(_ logs: [[LogLine]]) -> [LogLine] {
    var heads = logs.map { _ in 0 }
    var merged: [LogLine] = []
    merged.reserveCapacity(logs.reduce(0) { $0 + $1.count })
    while true {
      var best: Int?
      for (index, log) in logs.enumerated() where heads[index] < log.count {
        guard let current = best else {
          best = index
          continue
        }
        let candidate = log[heads[index]].time ?? .distantPast
        if candidate < logs[current][heads[current]].time ?? .distantPast { best = index }
      }
      guard let index = best else { return merged }
      merged.append(logs[index][heads[index]])
      heads[index] += 1
    }
  }

  /// The time a log line starts with: ISO 8601 (`2026-12-05T10:00:00.123Z`, an app's, ours) or
  /// PostgreSQL's `2026-12-05 10:00:00.123 UTC`, after an optional `synapse-local: ` label or `[`.
  /// No zone: this machine's.
  public static func stamp(in line: Substring, timeZone: TimeZone = .current) -> Date? {
    var text = line
    for prefix in ["synapse-local: ", "["] where text.hasPrefix(prefix) { text = text.dropFirst(prefix.count) }
    let pattern = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(?:(Z)|([+-])(\d{2}):?(\d{2})| (UTC|GMT))?/
    guard let match = try? pattern.prefixMatch(in: text) else { return nil }
    let o = match.output
    var parts = DateComponents()
    parts.year = Int(o.1)
    parts.month = Int(o.2)
    parts.day = Int(o.3)
    parts.hour = Int(o.4)
    parts.minute = Int(o.5)
    parts.second = Int(o.6)
    if let fraction = o.7 { parts.nanosecond = Int(fraction.padding(toLength: 9, withPad: "0", startingAt: 0)) }
    var calendar = Calendar(identifier: .gregorian)
    if o.8 != nil || o.12 != nil {
      calendar.timeZone = TimeZone(identifier: "UTC")!
    } else if let sign = o.9, let hours = o.10.flatMap({ Int($0) }), let minutes = o.11.flatMap({ Int($0) }) {
      let offset = (hours * 3600 + minutes * 60) * (sign == "-" ? -1 : 1)
      guard let zone = TimeZone(secondsFromGMT: offset) else { return nil }
      calendar.timeZone = zone
    } else {
      calendar.timeZone = timeZone
    }
    guard let month = parts.month, (1...12).contains(month), let day = parts.day, (1...31).contains(day) else { return nil }
    return calendar.date(from: parts)
  }
}
