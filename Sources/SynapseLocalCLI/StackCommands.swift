import ArgumentParser
import Foundation
import SynapseLocalCore

extension ServiceName: ExpressibleByArgument {}

/// The project folder, absolute, and its state folder, for the commands that talk to a running stack.
struct StackProjectOptions: ParsableArguments {
  @Option(name: .long, help: "The project folder (with synapse-local.yaml).")
  var project = "."

  var folder: String {
    AbsolutePath.resolve(project, relativeTo: AbsolutePath.currentDirectory, environment: ProcessInfo.processInfo.environment)
  }

  /// The state folder as the project file names it (default .synapse-local).
  func state() throws -> String {
    let environment = ProcessInfo.processInfo.environment
    return try ProjectFile.load(project: folder, environment: environment).stateFolder(project: folder, environment: environment)
  }

  func send(_ command: String, service: String? = nil, model: String? = nil, timeout: Double = 30) throws -> ControlSocket.Reply {
    let reply = try ControlSocket.send(.init(command: command, service: service, model: model), state: try state(), project: folder, timeout: timeout)
    if !reply.ok { throw StackError.control(reply.error ?? "the supervisor refused") }
    return reply
  }
}

struct StatusCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract: "Show each service of the running stack: state, health, pid, uptime, restarts, memory, port, model.",
    discussion: """
      States: starting, healthy, unhealthy (failing its health check), restarting, failed (a crash \
      loop; its last log lines are shown), stopped. `--json` is a contract for scripts \
      (docs/stack.md): services[] with name, state, pid, restarts, port, uptime_seconds, rss_bytes, \
      and model for llm and embedding.
      """)

  @OptionGroup var options: StackProjectOptions

  @Flag(name: .long, help: "Print the status as JSON.")
  var json = false

  func run() async throws {
    try await reportingErrors {
      guard let status = try options.send("status").status else { throw StackError.control("the supervisor sent no status") }
      if json { return try Output.json(status) }
      StatusTable.print(status)
    }
  }
}

enum StatusTable {
  static func print(_ status: StackStatus) {
    Output.line("project \(status.project) (supervisor pid \(status.supervisorPID))")
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
      Output.line(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
    }
    if let swap = status.swap {
      Output.line(
        "\nswap under way: \(swap.service.rawValue) \(swap.from ?? "?") -> \(swap.to ?? "?"), \(swap.mode.rawValue) mode, \(swap.phase.rawValue) for \(swap.elapsedMilliseconds / 1000) s")
    } else if let last = status.lastSwap {
      Output.line(
        "\nlast swap: \(last.service.rawValue) \(last.from ?? "?") -> \(last.model ?? "?"), \(last.mode.rawValue), \(last.switchMilliseconds) ms, \(last.heldRequests) request(s) held")
    }
    for service in status.services {
      if let message = service.message { Output.line("\n\(service.name.rawValue): \(message)") }
    }
  }

  static func duration(_ seconds: Int) -> String {
    seconds < 60 ? "\(seconds)s" : seconds < 3600 ? "\(seconds / 60)m\(seconds % 60)s" : "\(seconds / 3600)h\(seconds % 3600 / 60)m"
  }
}

struct DownCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "down",
    abstract: "Stop the running stack: services in reverse order, SIGTERM then SIGKILL, nothing left behind.")

  @OptionGroup var options: StackProjectOptions

  func run() async throws {
    try await reportingErrors {
      let reply = try options.send("status")
      _ = try options.send("down", timeout: 120)
      // The supervisor exits once everything has stopped.
      if let pid = reply.status?.supervisorPID {
        let deadline = Date().addingTimeInterval(120)
        while kill(pid, 0) == 0 && Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        if kill(pid, 0) == 0 {
          // Its keepers end every service group when it dies.
          kill(pid, SIGKILL)
          throw StackError.control("the supervisor did not stop within 120 s and was killed; its keepers stopped the services (see logs/supervisor.log)")
        }
      }
      Output.line("stopped \(options.folder)")
    }
  }
}

struct RestartCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "restart", abstract: "Restart one service of the running stack (a failed one too).")

  @OptionGroup var options: StackProjectOptions

  @Argument(help: "db, llm, embedding, backend or frontend.")
  var service: ServiceName

  func run() async throws {
    try await reportingErrors {
      _ = try options.send("restart", service: service.rawValue)
      Output.line("restarting \(service.rawValue)")
    }
  }
}

struct LogsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "logs",
    abstract: "Print the services' logs (from the state folder's logs/).",
    discussion: "Without SERVICE, every service's, each line prefixed with its name. -f follows them.")

  @OptionGroup var options: StackProjectOptions

  @Argument(help: "db, llm, embedding, backend or frontend (default: all).")
  var service: ServiceName?

  @Option(name: .shortAndLong, help: "How many of the last lines to print first.")
  var n = 50

  @Flag(name: .shortAndLong, help: "Keep printing new lines.")
  var follow = false

  func run() async throws {
    try await reportingErrors {
      let folder = try options.state() + "/logs"
      let names = service.map { [$0] } ?? ServiceName.allCases
      let files = names.map { ($0, folder + "/\($0.rawValue).log") }.filter { FileManager.default.fileExists(atPath: $1) }
      guard !files.isEmpty else { throw StackError.control("no logs yet in \(folder) (start the stack with `synapse-local up`)") }
      for (name, path) in files {
        for line in LogFiles.tail(path, lines: n).split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
          Output.line(service == nil ? "\(name.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0))| \(line)" : String(line))
        }
      }
      if follow { try await LogFollower(files: files, prefixed: service == nil).run() }
    }
  }
}

/// Prints lines appended to log files, prefixed with their service (coloured on a terminal),
/// until cancelled.
struct LogFollower {
  var files: [(ServiceName, String)]
  var prefixed: Bool
  var colour = isatty(1) == 1

  static let colours: [ServiceName: String] = [.db: "34", .llm: "35", .embedding: "36", .backend: "32", .frontend: "33"]

  func prefix(_ name: ServiceName) -> String {
    let label = name.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0) + "| "
    guard colour, let code = Self.colours[name] else { return label }
    return "\u{1B}[\(code)m\(label)\u{1B}[0m"
  }

  func run() async throws {
    var offsets = files.map { (try? FileManager.default.attributesOfItem(atPath: $0.1)[.size] as? UInt64) ?? 0 }
    var pending = files.map { _ in "" }
    while !Task.isCancelled {
      for (index, (name, path)) in files.enumerated() {
        guard let handle = FileHandle(forReadingAtPath: path) else { continue }
        let size = (try? handle.seekToEnd()) ?? 0
        if size < offsets[index] { offsets[index] = 0 }  // rotated
        try? handle.seek(toOffset: offsets[index])
        let data = handle.readDataToEndOfFile()
        try? handle.close()
        offsets[index] += UInt64(data.count)
        pending[index] += String(decoding: data, as: UTF8.self)
        while let newline = pending[index].firstIndex(of: "\n") {
          let line = pending[index][..<newline]
          Output.line(prefixed ? prefix(name) + line : String(line))
          pending[index] = String(pending[index][pending[index].index(after: newline)...])
        }
      }
      // A pipe or file gets the lines as they come, not when a buffer fills.
      fflush(nil)  // every output stream: stdout is a C global Swift 6 will not touch
      try await Task.sleep(for: .milliseconds(200))
    }
  }
}
