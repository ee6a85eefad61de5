/// What an engine says of its own work on its `/metrics` (llama-server started with `--metrics`,
/// or vLLM): tokens read and written since it started, and its throughput where it reports one.
public struct EngineReading: Sendable, Equatable {
  public var promptTokens: Double?
  public var generatedTokens: Double?
  public var promptTokensPerSecond: Double?
  public var generationTokensPerSecond: Double?
  /// Seconds the engine spent on prompts and on generating, summed over requests (llama-server's
  /// `prompt_seconds_total` and `tokens_predicted_seconds_total`, vLLM's decode time): with the
  /// token totals, the engine's speed while it works, whatever the idle time between requests.
  /// (llama-server's `*_tokens_seconds` gauges start again at every read of `/metrics`, by anyone.)
  /// Both count a request when it ends.
  public var promptSeconds: Double?
  public var generationSeconds: Double?
  /// Decoding steps so far (llama-server's `n_decode_total`): it moves while a request is under
  /// way, token by token, where the token totals wait for the request's end.
  public var decodeSteps: Double?

  /// The samples of a Prometheus text exposition (llama-server's `llamacpp:*`, vLLM's `vllm:*`,
  /// summed over their label sets); nil when neither engine's names are there.
  public init?(exposition text: String) {
    var sums: [String: Double] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
      // name{labels} value [timestamp]
      let parts = line.split(separator: " ", omittingEmptySubsequences: true)
      guard parts.count >= 2, let value = Double(parts[1]), value.isFinite else { continue }
      let name = parts[0].split(separator: "{", maxSplits: 1).first.map(String.init) ?? ""
      sums[name, default: 0] += value
    }
    promptTokens = sums["llamacpp:prompt_tokens_total"] ?? sums["vllm:prompt_tokens_total"]
    generatedTokens = sums["llamacpp:tokens_predicted_total"] ?? sums["vllm:generation_tokens_total"]
    promptTokensPerSecond = sums["llamacpp:prompt_tokens_seconds"]
    generationTokensPerSecond = sums["llamacpp:predicted_tokens_seconds"]
    promptSeconds = sums["llamacpp:prompt_seconds_total"]
    generationSeconds = sums["llamacpp:tokens_predicted_seconds_total"] ?? sums["vllm:request_decode_time_seconds_sum"]
    decodeSteps = sums["llamacpp:n_decode_total"] ?? sums["vllm:iteration_tokens_total_count"]
    if promptTokens == nil && generatedTokens == nil { return nil }
  }

  public init(
    promptTokens: Double?, generatedTokens: Double?, promptTokensPerSecond: Double? = nil, generationTokensPerSecond: Double? = nil,
    generationSeconds: Double? = nil, decodeSteps: Double? = nil
  ) {
    self.promptTokens = promptTokens
    self.generatedTokens = generatedTokens
    self.promptTokensPerSecond = promptTokensPerSecond
    self.generationTokensPerSecond = generationTokensPerSecond
    self.generationSeconds = generationSeconds
    self.decodeSteps = decodeSteps
  }
}
