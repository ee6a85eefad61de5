import Foundation
import SynapseLocalSystem

/// `inspect`: a GGUF's header read where the REF says it is. A local file is read in place; a
/// catalog id's or a Hub file's header alone is fetched with growing Range requests (never under
/// HF_HUB_OFFLINE). Also the memory estimate at a context size and what the file's chat template
/// lacks.
public struct ModelInspector: Sendable {
  /// What `inspect` reports of one GGUF.
  public struct Inspection: Sendable {
    public var info: GGUFModelInfo
    public var estimate: MemoryEstimate
    /// For a Hub file: the bytes fetched to read its header.
    public var transferredBytes: UInt64?
    /// What is wrong with the file's chat template for a chat, when something is.
    public var chatTemplateWarning: String?
  }

  public var context: Context

  public init(context: Context) {
    self.context = context
  }

  public func inspect(_ ref: ModelReference, contextSize: Int) async throws -> Inspection {
    var info: GGUFModelInfo
    var transferred: UInt64?
    switch ref {
    case .local(let path):
      let expanded = HubCacheLocation.expandTilde(path, context.environment)
      info = GGUFModelInfo(file: try GGUFReader.read(path: expanded, files: context.files), path: expanded)
    case .catalog(let id, _) where context.files.exists(context.absolute(id)):
      throw InspectError.catalogIDNamesAFile(id)
    case .catalog, .hub:
      // The same rule as pull: a catalog chat model's GGUF for llama.cpp, the file a REF names.
      let location = try ModelLocation.of(ref, role: .llm, engine: .llamaCpp, catalog: try context.resources.loadCatalog())
      guard case .hub(let target) = location, let file = target.file else { throw InspectError.notOneGGUF(ref) }
      (info, transferred) = try await remote(target.repository.description, path: file, revision: target.revision)
    }
    let catalogTemplate = (try? context.resources.loadCatalog())?.models.first { model in
      model.gguf.map { info.path.hasSuffix("/" + $0.file) || info.path.contains("/\($0.file)@") } ?? false
    }?.chatTemplate
    let warning = ChatTemplate.warning(
      metadata: info.metadata, model: (info.path as NSString).lastPathComponent, configured: "", suggestion: catalogTemplate)
    return Inspection(
      info: info, estimate: MemoryEstimate.llamaCpp(info, context: contextSize), transferredBytes: transferred,
      chatTemplateWarning: warning)
  }

  /// A Hub file's header, through the context's HTTP transport.
  func remote(_ repository: String, path: String, revision: String) async throws -> (GGUFModelInfo, UInt64) {
    if HubOffline.isSet(context.environment) {
      throw StoreError.offline("\(repository)/\(path)")
    }
    let id = try RepositoryID(repository)
    let result = try await RemoteGGUF(hub: .live(environment: context.environment, transport: context.http, time: context.time)).read(
      id, revision: revision, path: path)
    return (GGUFModelInfo(file: result.file, path: "\(repository)/\(path)@\(result.metadata.commit)"), result.transferredBytes)
  }
}
