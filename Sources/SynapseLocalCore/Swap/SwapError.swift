/// Why a swap was refused before it began, or did not replace the engine: an order the swap does not
/// take, a model it cannot serve, a service not ready for it, or a swap that failed or was ended.
public enum SwapError: Error, Equatable, CustomStringConvertible {
  /// The order names a service that is not swapped (only llm and embedding are).
  case notSwappable(ServiceName)
  /// A spec was asked for a service other than llm and embedding.
  case noSpecFor(ServiceName)
  /// `--context` with a service other than llm.
  case contextOnlyForLLM
  /// `--context` outside 256...1048576 tokens.
  case contextOutOfRange
  /// An embedding swap that changes the vector size, without `--allow-dimension-change`; the
  /// plan's `refusal` says what it would break.
  case dimensionChange(refusal: String)
  /// The embedding model's vector size cannot be read from its `folder`.
  case unknownDimensions(model: ModelReference, folder: String)
  /// llama.cpp cannot serve the embedding model (`reason` says why) and no sentence-transformers
  /// runtime is installed to serve it instead.
  case embeddingNotConvertible(reason: String)
  /// The service planner made no spec for the service.
  case notInPlan(ServiceName)
  /// A local model file the engine would refuse (`problem` says why).
  case unservableFile(service: ServiceName, path: String, problem: String)
  /// A plan was asked for and something else came back.
  case noPlan
  /// A swap was asked for and something else came back.
  case noReport
  /// The service has no stable endpoint (or no engine port) to swap behind.
  case noStableEndpoint(ServiceName)
  /// Another swap, of `service`, is under way.
  case alreadyUnderWay(ServiceName)
  /// The service is in `state`, not healthy.
  case notHealthy(service: ServiceName, state: String)
  /// The swap did not replace the engine: rolled back, or ended because the stack is stopping;
  /// its lifecycle's `message` says which and why.
  case failed(message: String)

  public var description: String {
    switch self {
    case .notSwappable(let service): "swap takes llm or embedding, not \(service.rawValue)"
    case .noSpecFor(let service): "only llm and embedding can be swapped, not \(service.rawValue)"
    case .contextOnlyForLLM: "--context applies to `swap llm` only"
    case .contextOutOfRange: "--context must be between 256 and 1048576 tokens"
    case .dimensionChange(let refusal): refusal
    case .unknownDimensions(let model, let folder): "cannot tell the vector size of \(model) (no modules.json or config.json in \(folder))"
    case .embeddingNotConvertible(let reason):
      reason + "; or install the sentence-transformers runtime (synapse-local install embedding), which swap then uses"
    case .notInPlan(let service): "no \(service.rawValue) in the plan"
    case .unservableFile(let service, let path, let problem): "cannot swap \(service.rawValue) to \(path): \(problem)"
    case .noPlan: "the supervisor sent no plan"
    case .noReport: "the supervisor sent no report"
    case .noStableEndpoint(let service): "\(service.rawValue) has no stable endpoint to swap behind"
    case .alreadyUnderWay(let service): "a swap of \(service.rawValue) is already under way; wait for it to finish"
    case .notHealthy(let service, let state): "\(service.rawValue) is \(state), not healthy: swap it once it serves (synapse-local status)"
    case .failed(let message): message
    }
  }
}
