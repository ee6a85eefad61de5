import Foundation
import SynapseLocalSystem

/// Sends measured requests to an engine's OpenAI-compatible API (llama-server, vLLM, or the stable
/// endpoint in front of them): prompts of an exact token count, replies of an exact length
/// (`ignore_eos`). A request is streamed to see the first token arrive as a chat client does, or
/// sent whole so the engine times itself with no streaming thread and no client on its cores.
struct EngineClient: Sendable {
  /// The context's transport with no stall limit when it is libcurl: a streamed reply sends
  /// nothing while the engine reads a long prompt.
  static func transport(_ http: any HTTPTransport) -> any HTTPTransport {
    guard var curl = http as? CurlTransport else { return http }
    curl.stallSeconds = 24 * 3600
    return curl
  }

  var http: any HTTPTransport
  var baseURL: String
  var servedName: String
  var headers: [String: String] = [:]

  /// Plain prose, so the tokenizer yields ordinary tokens; repeated to the length asked for.
  static let passage = """
    The library stood at the end of the street, its windows lit long after the shops had closed. Inside, \
    readers moved between the shelves, pulling down atlases, letters and old engineering reports, and \
    carried them to long oak tables where the lamps hummed softly. Nobody spoke above a whisper.
    """

  /// `count` prompt tokens, rotated by `variant` so consecutive runs share no prefix a cache
  /// could reuse.
  func promptTokens(count: Int, variant: Int) async throws -> [Int] {
    let body = try JSONSerialization.data(withJSONObject: ["content": Self.passage, "prompt": Self.passage, "model": servedName])
    let response = try await http.send(
      HTTPRequest(url: baseURL + "/tokenize", method: "POST", headers: headers.merging(["Content-Type": "application/json"]) { a, _ in a })
        .withBody(body), onBody: nil)
    guard response.status == 200, let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
      let tokens = (object["tokens"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }), !tokens.isEmpty
    else {
      throw BenchError.engine("\(baseURL)/tokenize answered \(response.status): the engine cannot count tokens for an exact prompt")
    }
    let shift = variant % tokens.count
    let rotated = Array(tokens[shift...] + tokens[..<shift])
    return (0..<count).map { rotated[$0 % rotated.count] }
  }

  /// One completion, timed: streamed, or whole, in which case the engine's own timings are the
  /// figures (llama-server reports them; an engine that does not cannot be measured whole).
  func complete(prompt: [Int], generate: Int, streamed: Bool = true) async throws -> BenchSample {
    var request: [String: Any] = [
      "model": servedName, "prompt": prompt, "max_tokens": generate, "temperature": 0, "stream": streamed, "ignore_eos": true,
      "cache_prompt": false,
    ]
    if streamed { request["stream_options"] = ["include_usage": true] }
    let stream = CompletionStream()
    let started = DispatchTime.now().uptimeNanoseconds
    let response = try await http.send(
      HTTPRequest(
        url: baseURL + "/v1/completions", method: "POST",
        headers: headers.merging(["Content-Type": "application/json", "Accept": streamed ? "text/event-stream" : "application/json"]) {
          a, _ in a
        }
      ).withBody(try JSONSerialization.data(withJSONObject: request)),
      onBody: streamed ? { @Sendable _, chunk in stream.receive(chunk) } : nil)
    guard response.status == 200 else {
      let text = String(decoding: response.body.prefix(300), as: UTF8.self).split(whereSeparator: \.isNewline).joined(separator: " ")
      throw BenchError.engine("\(baseURL)/v1/completions answered \(response.status): \(text)")
    }
    if streamed { return try stream.sample(started: started, requestedPrompt: prompt.count) }
    return try Self.wholeSample(response.body, seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
  }

  /// A whole reply's figures, from the engine's `timings`: prompt and generation rates, and its
  /// first token one generation step after the prompt was read.
  static func wholeSample(_ body: [UInt8], seconds: Double) throws -> BenchSample {
    func number(_ object: [String: Any]?, _ key: String) -> Double? { (object?[key] as? NSNumber)?.doubleValue }
    guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
      let timings = object["timings"] as? [String: Any], let generation = number(timings, "predicted_per_second"),
      let prompt = number(timings, "prompt_per_second"), let promptMilliseconds = number(timings, "prompt_ms"),
      generation > 0, prompt > 0
    else {
      throw BenchError.engine("the engine's reply carries no timings (prompt_per_second, predicted_per_second) to measure it by")
    }
    let usage = object["usage"] as? [String: Any]
    return BenchSample(
      promptTokens: Int(number(usage, "prompt_tokens") ?? number(timings, "prompt_n") ?? 0),
      generatedTokens: Int(number(usage, "completion_tokens") ?? number(timings, "predicted_n") ?? 0),
      promptTokensPerSecond: prompt, generationTokensPerSecond: generation,
      timeToFirstTokenSeconds: promptMilliseconds / 1000 + 1 / generation, totalSeconds: seconds)
  }
}
