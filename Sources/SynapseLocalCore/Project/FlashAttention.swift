/// llama-server's `-fa`: flash attention on, off, or its own choice per backend (the default).
public enum FlashAttention: String, Sendable, CaseIterable, Codable {
  case auto
  case on
  case off
}
