import Foundation
import SynapseLocalSystem

/// Collects a server-sent event stream as it arrives: when text first and last came, how many
/// pieces, and the final event's usage and timings.
final class CompletionStream: @unchecked Sendable {
  private let lock = NSLock()
  private var pending = Data()
  private var firstText: UInt64?
  private var lastText: UInt64?
  private var pieces = 0
  private var usage: [String: Any]?
  private var timings: [String: Any]?

  func receive(_ chunk: UnsafeRawBufferPointer) {
    let now = DispatchTime.now().uptimeNanoseconds
    lock.lock()
    defer { lock.unlock() }
    pending.append(contentsOf: chunk)
    while let end = pending.firstRange(of: Data("\n".utf8)) {
      let line = pending[pending.startIndex..<end.lowerBound]
      pending.removeSubrange(pending.startIndex..<end.upperBound)
      guard line.starts(with: Data("data:".utf8)) else { continue }
      let payload = line.dropFirst(5)
      guard let object = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any] else { continue }
      if let text = ((object["choices"] as? [[String: Any]])?.first?["text"] as? String), !text.isEmpty {
        if firstText == nil { firstText = now }
        lastText = now
        pieces += 1
      }
      if let value = object["usage"] as? [String: Any] { usage = value }
      if let value = object["timings"] as? [String: Any] { timings = value }
    }
  }

  func sample(started: UInt64, requestedPrompt: Int) throws -> BenchSample {
    lock.lock()
    defer { lock.unlock() }
    let end = DispatchTime.now().uptimeNanoseconds
    guard let firstText, let lastText else { throw BenchError.engine("the engine streamed no text") }
    func number(_ object: [String: Any]?, _ key: String) -> Double? { (object?[key] as? NSNumber)?.doubleValue }
    let generated = Int(number(usage, "completion_tokens") ?? number(timings, "predicted_n") ?? Double(pieces))
    let prompt = Int(number(usage, "prompt_tokens") ?? number(timings, "prompt_n") ?? Double(requestedPrompt))
    let ttft = Double(firstText - started) / 1e9
    let total = Double(end - started) / 1e9
    let streaming = Double(lastText - firstText) / 1e9
    let promptRate = number(timings, "prompt_per_second") ?? Double(prompt) / max(ttft, 1e-9)
    // Without the engine's timings: from the first text to the last; text that came in one piece
    // gives no span, so the whole time after the first token counts.
    let generationRate =
      number(timings, "predicted_per_second")
      ?? (streaming > 0.001 ? Double(max(generated - 1, 1)) / streaming : Double(generated) / max(total - ttft, 0.001))
    // What the client saw: from the first text to the last.
    let received = streaming > 0.001 ? Double(max(generated - 1, 1)) / streaming : Double(generated) / max(total - ttft, 0.001)
    var sample = BenchSample(
      promptTokens: prompt, generatedTokens: generated, promptTokensPerSecond: promptRate, generationTokensPerSecond: generationRate,
      timeToFirstTokenSeconds: ttft, totalSeconds: total)
    sample.receivedTokensPerSecond = received
    return sample
  }
}
