import ArgumentParser
import Foundation
import SynapseLocalCore

struct RecommendCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "recommend",
    abstract: "Choose the engine, chat model and embedding model for this machine, with tuned flags.",
    discussion: """
      The engine is vLLM only on Linux with an NVIDIA GPU of known compute capability 7.0 or higher, \
      a driver supporting CUDA 12.1 or newer, and enough VRAM for the model's 16-bit weights plus its \
      KV cache; llama.cpp otherwise. The chat model is the best-rated catalog model whose memory \
      estimate fits after the embedding server, PostgreSQL, the backend and a safety margin. \
      docs/recommendation.md gives every rule and docs/estimates.md the memory formula.

      Exits with status 1 and says what would fit when nothing does.

      Examples:
        synapse-local recommend
        synapse-local recommend --prefer code
        synapse-local recommend --hardware server.json --json   # plan for another machine
      """)

  @Option(name: .long, help: "Plan for the machine described by this file (the output of `detect --json` there).")
  var hardware: String?

  @Option(name: .long, help: "Favour speed, quality or code (default: balanced).")
  var prefer: Preference = .balanced

  @Option(name: .long, help: "Use this catalog embedding model instead of the rule's choice (see `synapse-local catalog`).")
  var embedding: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Plan for this context (tokens) instead of the guide's 4096; a longer one costs memory and prompt time.", valueName: "N"))
  var context: Int?

  @Flag(name: .long, help: "Print the recommendation as JSON (docs/recommendation.md describes the fields).")
  var json = false

  func run() async throws {
    try await reportingErrors {
      let catalog = try Context.command().catalog()
      let report = try await loadHardware()
      if let context, !(256...1_048_576).contains(context) {
        throw ValidationError("--context must be between 256 and 1048576 tokens")
      }
      let recommendation = try Recommender(
        catalog: catalog, hardware: report, preference: prefer, embeddingOverride: embedding, contextOverride: context
      ).recommend()
      if json {
        try Output.json(recommendation)
      } else {
        RecommendationTable.print(recommendation)
      }
    }
  }

  func loadHardware() async throws -> HardwareReport {
    guard let hardware else { return try await HardwareDetector.detect(.live()) }
    return try HardwareReport.load(path: HubCacheLocation.expandTilde(hardware, ProcessInfo.processInfo.environment))
  }
}

enum RecommendationTable {
  static func print(_ r: Recommendation) {
    var rows: [(String, String)] = [
      ("engine", r.engine.rawValue),
      ("llm", "\(r.llm.title)  [\(r.llm.id)]"),
      ("  model name", r.llm.name),
      ("  from", r.llm.repository + (r.llm.path.map { "/\($0)" } ?? "")),
      ("  memory estimate", ByteCount.format(r.llm.estimateBytes)),
    ]
    if let flags = r.llamaServer { rows.append(("  llama-server flags", flags.arguments.joined(separator: " "))) }
    if let flags = r.vllm { rows.append(("  vllm serve flags", flags.arguments.joined(separator: " "))) }
    rows += [
      ("embedding", "\(r.embedding.name)  [\(r.embedding.id)], \(r.embedding.dimensions) dimensions"),
      ("  from", r.embedding.repository),
    ]
    Output.table(rows, indent: 0)
    Output.line()
    Output.line("Why")
    for reason in r.reasons { Output.line("  - \(reason)") }
    if !r.alternatives.isEmpty {
      Output.line()
      Output.line("Alternatives")
      for alternative in r.alternatives {
        Output.line(
          "  - \(alternative.title) [\(alternative.id)]: \(alternative.engine.map { "\($0.rawValue), " } ?? "")\(ByteCount.format(alternative.estimateBytes)); \(alternative.note)"
        )
      }
    }
    for warning in r.warnings { Output.warning(warning) }
  }
}
