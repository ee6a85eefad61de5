/// The two model roles, named as the guide's `.env` names them (`LOCAL_LLM_*`, `LOCAL_EMBEDDING_*`).
public enum ModelRole: String, Codable, Sendable, CaseIterable {
  case llm
  case embedding
}
