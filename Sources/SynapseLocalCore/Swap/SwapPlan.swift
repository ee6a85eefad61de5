import Foundation
import SynapseLocalSystem

/// What a swap will do, decided before it starts: the mode and why, the expected load against the
/// hold limit, and for the embedding model the vector size before and after.
public struct SwapPlan: Codable, Sendable, Equatable {
  public var service: ServiceName
  public var from: String?
  public var model: String
  public var mode: SwapMode
  public var reason: String
  public var expectedLoadSeconds: Double
  /// Whether that figure was measured on an earlier load of the same file (else estimated from its size).
  public var loadMeasured: Bool
  public var holdLimitSeconds: Double
  /// Embedding swaps: the vector size served now and the new model's.
  public var currentDimensions: Int?
  public var dimensions: Int?
  /// Embedding swaps: what serves the new model (it may differ from what served the old one).
  public var embeddingEngine: EmbeddingEngine?
  /// The new chat model's predicted (or measured) speed with the project's flags.
  public var speed: SpeedEstimate?
  /// llm swaps: the built-in chat template the new model is served with (nil: its file's own).
  public var chatTemplate: String?
  public var warnings: [String]

  enum CodingKeys: String, CodingKey {
    case service, from, model, mode, reason, dimensions, warnings, speed
    case expectedLoadSeconds = "expected_load_seconds"
    case loadMeasured = "load_measured"
    case holdLimitSeconds = "hold_limit_seconds"
    case currentDimensions = "current_dimensions"
    case chatTemplate = "chat_template"
    case embeddingEngine = "embedding_engine"
  }

  /// In hold mode, a load expected to outlast the hold means requests sent meanwhile get 503.
  public static func holdWarning(
    service: ServiceName, model: String, mode: SwapMode, expectedSeconds: Double, measured: Bool, holdSeconds: Double
  ) -> String? {
    guard mode == .hold, expectedSeconds > holdSeconds else { return nil }
    let key = service == .llm ? "llm.timeout_ms (LOCAL_LLM_TIMEOUT; the hold ends 2 s before it)" : "embedding.hold_seconds"
    return
      "\(model) is expected to take \(Int(expectedSeconds.rounded())) s to load (\(measured ? "its last load" : "estimated from its size")), longer than the \(Int(holdSeconds)) s that requests are held: requests sent during the swap may get 503. Swap when the stack is idle, or raise \(key)."
  }

  /// Why an embedding swap that changes the vector size is refused without
  /// `--allow-dimension-change`.
  public var dimensionRefusal: String? {
    guard changesDimensions, let currentDimensions, let dimensions else { return nil }
    return
      "\(from ?? "the current model") gives \(currentDimensions)-dimension vectors and \(model) gives \(dimensions): the vectors already stored in pgvector cannot be compared with the new model's, so searches would fail or find nothing until every document is embedded again. Pass --allow-dimension-change to swap anyway; swap then lists the columns to re-embed."
  }

  public var changesDimensions: Bool {
    if let currentDimensions, let dimensions { return currentDimensions != dimensions }
    return false
  }
}
