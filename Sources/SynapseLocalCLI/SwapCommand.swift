import ArgumentParser
import Foundation
import SynapseLocalCore

struct SwapCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "swap",
    abstract: "Swap the running llm to another model without failing a request.",
    discussion: """
      The stable endpoint (LOCAL_LLM_ENDPOINT) holds new requests while the old engine finishes \
      the ones under way and stops, and the new one loads; clients see a wait, not an error. A \
      model that does not load leaves the old one serving. The model is pulled first if it is not \
      in the store. Afterwards synapse-local.yaml names the new model and .env is generated again, \
      so the next `up` uses it.

      This version swaps in hold mode only (one engine at a time); `swap embedding` is not built yet.

      Examples:
        synapse-local swap llm gemma-3-270m-q4
        synapse-local swap llm bartowski/Qwen2.5-7B-Instruct-GGUF/Qwen2.5-7B-Instruct-Q4_K_M.gguf --json
      """)

  @OptionGroup var options: StackProjectOptions

  @Argument(help: "llm (embedding swaps are not built yet).")
  var service: ServiceName

  @Argument(help: "The new model (a REF).")
  var model: String

  @Flag(name: .long, help: "Print the swap's report as JSON.")
  var json = false

  func run() async throws {
    try await reportingErrors {
      guard service == .llm else { throw UsageProblem("only `swap llm` is built so far; the embedding model is changed with init/generate and a restart") }
      let environment = ProcessInfo.processInfo.environment
      let folder = options.folder
      _ = try ModelReference(parsing: model)
      // Running? (before any download)
      _ = try options.send("status")
      var configuration = try ProjectFile.load(project: folder, environment: environment)
      let catalog = try ResourceLocator.forCommand().loadCatalog()
      let resolver = try configuration.modelResolver(project: folder, catalog: catalog, environment: environment)
      if (try? resolver.resolve(model, role: .llm, engine: configuration.engine)) == nil {
        Output.warning("\(model) is not in the store: pulling it first")
        let pull = try PullCommand.parse([model, "--project", folder])
        try await pull.run()
      }
      let reply = try options.send("swap", service: service.rawValue, model: model, timeout: 1800)
      guard let report = reply.swap else { throw StackError.control("the supervisor sent no report") }
      // The next `up` and `generate` use the new model.
      configuration = try ProjectFile.load(project: folder, environment: [:])
      configuration.llm.model = model
      configuration.llm.name = report.model ?? configuration.llm.name
      try AtomicFile.write(Data(try ProjectFile.render(configuration, renderer: try TemplateRenderer.live(environment: environment)).utf8), to: ProjectFile.path(in: folder))
      let generate = try GenerateCommand.parse(["--project", folder] + (json ? ["--quiet"] : []))
      try await generate.run()
      if json { return try Output.json(report) }
      Output.line(
        "swapped llm to \(report.model ?? model) in \(report.switchMilliseconds) ms (\(report.mode) mode: \(report.heldRequests) request(s) held, longest wait \(report.longestWaitMilliseconds) ms)")
    }
  }
}
