import Foundation
import SynapseLocalSystem

/// What a stable endpoint tells a streamed request it holds, set by the supervisor when its
/// service's state changes and read by the relays on their event loops about once a second.
final class LoadProgress: @unchecked Sendable {
  enum State {
    /// An engine serves: nothing to say.
    case serving
    /// A load, a wake or a swap is under way; the line is measured when asked (it reads /proc
    /// through the supervisor's context).
    case waiting(@Sendable () -> String)
    /// The wait cannot end in an answer (the engine failed to load, or the stack stops).
    case failed(String)
  }

  private let lock = NSLock()
  private var state = State.serving

  func set(_ state: State) { lock.withLock { self.state = state } }

  var current: State { lock.withLock { state } }

  /// The SSE comment a held stream gets now: `: loading SmolLM2-135M-Instruct, 41 % of 1.9 GiB`.
  /// Clients skip comment lines; proxies see bytes, so they do not time the stream out.
  static func comment(_ state: State) -> String {
    let text: String
    switch state {
    case .waiting(let line): text = line()
    case .serving: text = "waiting for the model server"
    case .failed(let message): text = message
    }
    // One line: a line break would end the comment and start a field.
    return ": " + oneLine(text) + "\n\n"
  }

  /// The event that ends a held stream that will get no answer, in OpenAI's form, which its
  /// clients raise as an error.
  static func errorEvent(_ error: EndpointErrorBody) -> String {
    "data: " + error.json + "\n\n"
  }

  /// An engine's answer that is not a stream (an error, say), as the one event of a held stream.
  static func event(_ body: String, succeeded: Bool) -> String {
    "data: " + oneLine(body) + "\n\n" + (succeeded ? "data: [DONE]\n\n" : "")
  }

  static func oneLine(_ text: String) -> String {
    text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
  }

  /// Whether a request asks for a streamed answer (`"stream": true` in its JSON body).
  static func isStreamed(_ body: [UInt8]) -> Bool {
    // Cheap look first: most requests never hold, and a body without the word cannot stream.
    guard body.count < 8 << 20, String(decoding: body, as: UTF8.self).contains("\"stream\""),
      let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
    else { return false }
    return object["stream"] as? Bool == true
  }
}
