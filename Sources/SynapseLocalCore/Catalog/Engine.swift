/// The inference engines that serve the `llm` role.
public enum Engine: String, Codable, Sendable, CaseIterable {
  case llamaCpp = "llama.cpp"
  case vllm = "vllm"
}
