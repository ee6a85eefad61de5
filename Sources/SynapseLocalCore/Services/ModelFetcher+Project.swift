import SynapseLocalSystem

extension ModelFetcher {
  /// `pull`: the REFs given, else the project's Hub models, fetched for the roles they play in
  /// the project (when `project` has a synapse-local.yaml) and pinned in `lockPath`.
  public func pull(
    _ refs: [ModelReference], project: String, lockPath: String?, patterns: FilePatterns, update: Bool, connections: Int
  ) async throws -> [ModelPuller.Result] {
    let configuration =
      context.files.exists(ProjectFile.path(in: project))
      ? try ProjectFile.load(project: project, environment: context.environment, files: context.files) : nil
    let options = ModelFetcher.Options(
      lockPath: lockPath, update: update, connections: connections, configuration: configuration,
      patterns: patterns.isEmpty ? nil : patterns)
    let wanted = try Self.wanted(refs, configuration: configuration, project: project, patterns: options.patterns)
    return try await pull(wanted, options: options)
  }
}
