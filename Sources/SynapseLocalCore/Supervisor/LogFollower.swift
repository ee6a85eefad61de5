import Foundation
import SynapseLocalSystem

/// Prints the lines appended to log files, each prefixed with its name (a service's, or
/// `supervisor`; coloured on a terminal), until cancelled: `up` in the foreground and `logs -f`.
/// With `timestamps`, each line's time follows its name; with `json`, each line is a `LogLine`
/// document. A line with no time of its own is given its log's last one, else when it was read.
public struct LogFollower: Sendable {
  /// Each log's name and path.
  public var files: [(String, String)]
  /// Where the logs are read.
  public var fileSystem: any FileSystem
  public var prefixed: Bool
  public var colour: Bool
  public var output: any OutputSink
  public var time: any TimeSource
  public var timestamps = false
  public var json = false

  public init(
    files: [(String, String)], fileSystem: any FileSystem, prefixed: Bool, colour: Bool, output: any OutputSink, time: any TimeSource,
    timestamps: Bool = false, json: Bool = false
  ) {
    self.files = files
    self.fileSystem = fileSystem
    self.prefixed = prefixed
    self.colour = colour
    self.output = output
    self.time = time
    self.timestamps = timestamps
    self.json = json
  }

  /// A line as `logs` prints it: `llm      | 2026-12-05T10:00:00Z | text` with timestamps (a
  /// blank column when the time is unknown), `llm      | text` with a label, else the text.
  public static func render(_ line: LogLine, labelled: Bool, timestamps: Bool, label: (String) -> String = LogFollower.label) -> String {
    guard labelled else { return line.line }
    guard timestamps else { return label(line.service) + line.line }
    let stamp = line.time.map { $0.formatted(.iso8601) } ?? String(repeating: " ", count: 20)
    return label(line.service) + stamp + " | " + line.line
  }

  static let colours = ["db": "34", "llm": "35", "embedding": "36", "backend": "32", "frontend": "33", "supervisor": "37"]

  public static func label(_ name: String) -> String { name.padding(toLength: max(9, name.count), withPad: " ", startingAt: 0) + "| " }

  func prefix(_ name: String) -> String {
    guard colour, let code = Self.colours[name] else { return Self.label(name) }
    return "\u{1B}[\(code)m\(Self.label(name))\u{1B}[0m"
  }

  public func run() async throws {
    var offsets = files.map { LogFiles.size($0.1, files: fileSystem) }
    var pending = files.map { _ in "" }
    var lastTimes: [Date?] = files.map { _ in nil }
    while !Task.isCancelled {
      for (index, (name, path)) in files.enumerated() {
        guard let file = try? fileSystem.open(path, .read) else { continue }
        let size = (try? file.length()) ?? 0
        if size < offsets[index] { offsets[index] = 0 }  // rotated
        let data = LogFiles.rest(of: file, from: offsets[index])
        file.close()
        offsets[index] += UInt64(data.count)
        pending[index] += String(decoding: data, as: UTF8.self)
        while let newline = pending[index].firstIndex(of: "\n") {
          let line = pending[index][..<newline]
          if !json && !timestamps {
            output.line(prefixed ? prefix(name) + line : String(line))
          } else {
            lastTimes[index] = LogLine.stamp(in: line) ?? lastTimes[index] ?? time.now
            let entry = LogLine(service: name, time: lastTimes[index], line: String(line))
            output.line(
              json
                ? ((try? JSONDocument.line(entry)) ?? "")
                : Self.render(entry, labelled: prefixed, timestamps: timestamps, label: prefix))
          }
          pending[index] = String(pending[index][pending[index].index(after: newline)...])
        }
      }
      // Log files give no event to wait for that works across rotation: a short pause.
      try await time.sleep(for: .milliseconds(200))
    }
  }
}
