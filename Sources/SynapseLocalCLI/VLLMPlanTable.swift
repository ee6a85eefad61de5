import SynapseLocalCore
import SynapseLocalSystem

/// What `install vllm --plan` prints: the CUDA line, where its wheels come from, the driver it
/// needs and why.
enum VLLMPlanTable {
  static func print(_ chosen: VLLMLineChoice, to output: any OutputSink) {
    let driver = chosen.minDriver + (chosen.nativeDriver.map { " (\($0) or newer runs CUDA \(chosen.cuda) natively)" } ?? "")
    let rows = [
      ("line", "vLLM \(chosen.version) \(chosen.line) (CUDA \(chosen.cuda)) for \(chosen.platform.rawValue)"),
      ("why", chosen.reason),
      ("requirements", chosen.requirements.map { "profiles/\($0) (every wheel's hash pinned)" } ?? "none: not pinned here"),
      ("index", chosen.index ?? "PyPI (or --wheelhouse DIR)"),
      ("driver needed", driver),
      ("compute", chosen.compute?.joined(separator: ", ") ?? "not listed here"),
    ]
    output.table(rows, indent: 0)
    output.print(
      chosen.pinned
        ? "Nothing was downloaded: `synapse-local install vllm` installs it (`up` does too, for a vLLM project)."
        : "Nothing was downloaded, and `synapse-local install vllm` refuses this line: nothing here pins its wheels.")
  }
}
