import ArgumentParser
import Foundation
import SynapseLocalCore

extension ServiceName: ExpressibleByArgument {}

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

  @OptionGroup var project: ProjectOption

  @Flag(name: .long, help: "Print the status as JSON.")
  var json = false

  func run() async throws {
    try await reportingErrors {
      let context = Context.command()
      let status = try ControlClient(project: project.folder(context), context: context).status()
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
      Output.line(
        row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ").trimmingCharacters(
          in: .whitespaces))
    }
    if let swap = status.swap {
      Output.line(
        "\nswap under way: \(swap.service.rawValue) \(swap.from ?? "?") -> \(swap.to ?? "?"), \(swap.mode.rawValue) mode, \(swap.phase.rawValue) for \(swap.elapsedMilliseconds / 1000) s"
      )
    } else if let last = status.lastSwap {
      Output.line(
        "\nlast swap: \(last.service.rawValue) \(last.from ?? "?") -> \(last.model ?? "?"), \(last.mode.rawValue), \(last.switchMilliseconds) ms, \(last.heldRequests) request(s) held"
      )
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

  @OptionGroup var project: ProjectOption

  func run() async throws {
    try await reportingErrors {
      let context = Context.command()
      let client = try ControlClient(project: project.folder(context), context: context)
      try await client.stopStack(time: context.time)
      Output.line("stopped \(client.project)")
    }
  }
}

struct RestartCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "restart", abstract: "Restart one service of the running stack (a failed one too).")

  @OptionGroup var project: ProjectOption

  @Argument(help: "db, llm, embedding, backend or frontend.")
  var service: ServiceName

  func run() async throws {
    try await reportingErrors {
      let context = Context.command()
      _ = try ControlClient(project: project.folder(context), context: context).send(.restart(service: service))
      Output.line("restarting \(service.rawValue)")
    }
  }
}

struct LogsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "logs",
    abstract: "Print the services' logs (from the state folder's logs/).",
    discussion: "Without SERVICE, every service's, each line prefixed with its name. -f follows them.")

  @OptionGroup var project: ProjectOption

  @Argument(help: "db, llm, embedding, backend or frontend (default: all).")
  var service: ServiceName?

  @Option(name: .shortAndLong, help: "How many of the last lines to print first.")
  var n = 50

  @Flag(name: .shortAndLong, help: "Keep printing new lines.")
  var follow = false

  func run() async throws {
    try await reportingErrors {
      let context = Context.command()
      let folder = try ControlClient(project: project.folder(context), context: context).state + "/logs"
      let names = service.map { [$0] } ?? ServiceName.allCases
      let files = names.map { ($0, folder + "/\($0.rawValue).log") }.filter { FileManager.default.fileExists(atPath: $1) }
      guard !files.isEmpty else { throw StackError.control("no logs yet in \(folder) (start the stack with `synapse-local up`)") }
      for (name, path) in files {
        for line in LogFiles.tail(path, lines: n).split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
          Output.line(service == nil ? LogFollower.label(name) + line : String(line))
        }
      }
      if follow { try await LogFollower(files: files, prefixed: service == nil, colour: isatty(1) == 1, output: context.output).run() }
    }
  }
}
