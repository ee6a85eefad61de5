import SynapseLocalCore
import SynapseLocalSystem

/// What `install --list` prints: each installed runtime, its size, and where it came from.
enum RuntimeListTable {
  static func print(_ installed: [RuntimeInventory.Installed], json: Bool, to output: any OutputSink) throws {
    if json { return try output.json(installed) }
    if installed.isEmpty { return output.print("No runtimes are installed; `synapse-local install` installs what a project needs.") }
    for runtime in installed {
      let m = runtime.manifest
      output.print("\(m.id.rawValue)  \(m.version)  \(m.variant)  \(m.platform.rawValue)  \(ByteCount.format(runtime.sizeBytes))")
      var rows = [("path", m.path), ("source", m.source)]
      if let sha = m.sha256 { rows.append(("sha256", sha)) }
      if let reason = m.reason { rows.append(("why", reason)) }
      output.table(rows, indent: 4)
    }
  }
}
