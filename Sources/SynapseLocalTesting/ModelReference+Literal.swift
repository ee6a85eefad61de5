import SynapseLocalCore
import SynapseLocalSystem

/// Tests name models as literals (`configuration.llm.model = "all-minilm-l6-v2"`); a literal that
/// is not a REF is a mistake in the test itself.
extension ModelReference: ExpressibleByStringLiteral {
  public init(stringLiteral text: String) {
    do {
      self = try ModelReference(parsing: text)
    } catch {
      preconditionFailure("\(text) is not a model REF: \(error)")
    }
  }
}
