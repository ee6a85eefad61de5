import SynapseLocalCore
import SynapseLocalSystem

/// What `install --plan` prints: the build, why, and its files with their pinned digests.
enum InstallPlanTable {
  static func print(_ chosen: LlamaCppPlan, to output: any OutputSink) {
    var rows = [
      ("build", "llama.cpp \(chosen.tag) \(chosen.variant) for \(chosen.platform.rawValue)"),
      ("why", chosen.reason), ("archive", chosen.asset.name), ("sha256", chosen.asset.sha256 ?? "none pinned"),
    ]
    if let companion = chosen.companion {
      rows += [("companion", "\(companion.name) (unpacked beside llama-server)"), ("sha256", companion.sha256 ?? "none pinned")]
    }
    output.table(rows, indent: 0)
    output.print("Nothing was downloaded: `synapse-local install llama.cpp` installs it (`up` does too).")
  }
}
