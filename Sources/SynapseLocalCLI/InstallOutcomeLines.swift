import SynapseLocalCore
import SynapseLocalSystem

/// What `install` says of each runtime: installed now or already there, where, why that build,
/// and where it is pinned.
enum InstallOutcomeLines {
  static func print(_ outcomes: [RuntimeInstallOutcome], project: String?, to output: any OutputSink) {
    for outcome in outcomes {
      let manifest = outcome.manifest
      let what = "\(manifest.id.rawValue) \(manifest.version) (\(manifest.variant), \(manifest.platform.rawValue))"
      output.print(outcome.installedNow ? "installed \(what) in \(manifest.path)" : "\(what) is already installed in \(manifest.path)")
      if let reason = manifest.reason, outcome.installedNow { output.note(reason) }
      for note in outcome.notes { output.note(note) }
    }
    // A system PostgreSQL is the machine's, not pinned.
    if let project, outcomes.contains(where: { $0.manifest.source != RuntimeManifest.systemSource }) {
      output.note("pinned in \(project)/\(ProjectLock.fileName)")
    }
  }
}
