import Foundation
import SynapseLocalSystem

/// `security.licences`: models whose licence must be accepted before use (Meta's Llama licences,
/// Gemma's terms: the catalog's "with conditions") are named.
public struct LicenceCheck: DoctorCheck {
  public let id = "security.licences"
  public init() {}

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    let c = subject.configuration
    let models = [(c.llm.model, ModelRole.llm), (c.embedding.model, .embedding)].compactMap { ref, role in
      ref.catalogID.flatMap { try? subject.catalog.model(id: $0, role: role) }
    }
    let gated = models.filter { model in
      let terms = (model.license + " " + model.commercialUse).lowercased()
      return ["llama", "meta", "gemma", "condition", "accept"].contains { terms.contains($0) }
    }
    if gated.isEmpty { return .ok(id, "no model here needs its licence accepted") }
    return .warning(
      id, gated.map { "\($0.title): \($0.license) (\($0.commercialUse))" }.joined(separator: "; "),
      fix: "read and accept the licence on the model's Hub page before use; keep its attribution")
  }
}
