import Foundation
import SynapseLocalCore
import SynapseLocalSystem

enum RecommendationTable {
  static func print(_ r: Recommendation, to output: any OutputSink) {
    var rows: [(String, String)] = [
      ("engine", r.engine.rawValue),
      ("llm", "\(r.llm.title)  [\(r.llm.id)]"),
      ("  model name", r.llm.name),
      ("  from", r.llm.repository + (r.llm.path.map { "/\($0)" } ?? "")),
      ("  memory estimate", ByteCount.format(r.llm.estimateBytes)),
      (
        "  speed (\(r.llm.speed.source.rawValue))",
        "\(SpeedEstimate.format(r.llm.speed.generationTokensPerSecond)) generation, \(SpeedEstimate.format(r.llm.speed.promptTokensPerSecond)) prompt"
          + (r.reachesMinimumSpeed ? "" : "  (under the \(SpeedEstimate.format(r.minimumSpeed)) floor)")
      ),
    ]
    if let flags = r.llamaServer { rows.append(("  llama-server flags", flags.arguments.joined(separator: " "))) }
    if let build = r.llamaCppBuild { rows.append(("  llama.cpp build", "\(build.variant) (`up` installs it): \(build.reason)")) }
    if let flags = r.vllm { rows.append(("  vllm serve flags", flags.arguments.joined(separator: " "))) }
    rows += [
      ("embedding", "\(r.embedding.name)  [\(r.embedding.id)], \(r.embedding.dimensions) dimensions"),
      ("  from", r.embedding.repository),
    ]
    output.table(rows, indent: 0)
    output.print()
    output.print("Why")
    for reason in r.reasons { output.print("  - \(reason)") }
    if !r.alternatives.isEmpty {
      output.print()
      output.print("Alternatives")
      for alternative in r.alternatives {
        output.print(
          "  - \(alternative.title) [\(alternative.id)]: \(alternative.engine.map { "\($0.rawValue), " } ?? "")\(ByteCount.format(alternative.estimateBytes))\(alternative.speed.map { ", " + SpeedEstimate.format($0.generationTokensPerSecond) } ?? ""); \(alternative.note)"
        )
      }
    }
    for warning in r.warnings { output.warning(warning) }
  }
}
