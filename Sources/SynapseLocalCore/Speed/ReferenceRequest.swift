/// The request speeds are predicted and measured for: a RAG question with a few retrieved passages
/// and a paragraph of answer. `bench` runs it by default, so its figures compare with the
/// predictions line for line.
public enum ReferenceRequest {
  public static let promptTokens = 512
  public static let replyTokens = 128
}
