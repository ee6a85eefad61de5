/// What a user asks the recommendation to favour (`--prefer`).
public enum Preference: String, Codable, Sendable, CaseIterable {
  /// The best-rated chat model that fits, MiniLM for embeddings.
  case balanced
  /// The fastest chat model that fits.
  case speed
  /// As balanced for the chat model, plus the best-rated embedding model that costs it nothing.
  case quality
  /// Code-focused chat models first (Qwen 2.5 7B), then as balanced.
  case code
}
