/// One runtime after `install`: its manifest, whether this run installed it (false: it already
/// was), and what the user should know (a GPU left unused, where a runtime went).
public struct RuntimeInstallOutcome: Sendable, Equatable {
  public var manifest: RuntimeManifest
  public var installedNow: Bool
  public var notes: [String] = []

  public init(manifest: RuntimeManifest, installedNow: Bool, notes: [String] = []) {
    self.manifest = manifest
    self.installedNow = installedNow
    self.notes = notes
  }
}
