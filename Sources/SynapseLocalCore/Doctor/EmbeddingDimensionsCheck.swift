import Foundation
import SynapseLocalSystem

/// `embedding.dimensions`: `.env`, the project file and the embedding model agree on the vector
/// size.
public struct EmbeddingDimensionsCheck: DoctorCheck {
  public let id = "embedding.dimensions"
  public init() {}

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    let c = subject.configuration
    let model: Int? =
      c.embedding.model.catalogID.flatMap { try? subject.catalog.model(id: $0, role: .embedding) }?.dimensions
      ?? subject.embeddingPath.flatMap { EmbeddingDimensions.read(folder: $0, files: subject.context.files) }
    let declared = subject.env.flatMap { Int($0["LOCAL_EMBEDDING_DIMENSIONS"] ?? "") }
    if let model, model != c.embedding.dimensions {
      return .failure(
        id, "\(c.embedding.model) makes \(model)-dimension vectors, embedding.dimensions says \(c.embedding.dimensions)",
        fix:
          "set embedding.dimensions: \(model) in synapse-local.yaml, run synapse-local generate\(subject.projectFlag), and re-embed stored vectors"
      )
    }
    if let declared, declared != c.embedding.dimensions {
      return .failure(
        id,
        "LOCAL_EMBEDDING_DIMENSIONS in .env is \(declared), the project's embedding model makes \(c.embedding.dimensions)-dimension vectors",
        fix:
          "synapse-local generate\(subject.projectFlag) (or set LOCAL_EMBEDDING_DIMENSIONS=\(c.embedding.dimensions) in .env), then restart the backend"
      )
    }
    return .ok(
      id, "\(c.embedding.dimensions) dimensions in the project\(declared != nil ? ", .env" : "")\(model != nil ? " and the model" : "")")
  }
}
