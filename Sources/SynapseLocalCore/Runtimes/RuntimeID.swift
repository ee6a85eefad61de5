/// The runtimes `install` provisions, by the ids the commands, the lock and the docs use.
public enum RuntimeID: String, Codable, Sendable, CaseIterable {
  case llamaCpp = "llama.cpp"
  case vllm
  case embedding
  case postgresql
}
