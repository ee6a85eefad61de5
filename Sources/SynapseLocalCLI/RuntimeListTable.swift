import SynapseLocalCore

/// What `install --list` prints: each installed runtime, its size, and where it came from.
enum RuntimeListTable {
  static func print(_ installed: [RuntimeInventory.Installed], json: Bool) throws {
    if json { return try Output.json(installed) }
    if installed.isEmpty { return Output.line("No runtimes are installed; `synapse-local install` installs what a project needs.") }
    for runtime in installed {
      let m = runtime.manifest
      Output.line("\(m.id.rawValue)  \(m.version)  \(m.variant)  \(m.platform.rawValue)  \(ByteCount.format(runtime.sizeBytes))")
      var rows = [("path", m.path), ("source", m.source)]
      if let sha = m.sha256 { rows.append(("sha256", sha)) }
      if let reason = m.reason { rows.append(("why", reason)) }
      Output.table(rows, indent: 4)
    }
  }
}
