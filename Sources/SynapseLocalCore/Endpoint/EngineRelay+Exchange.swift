import NIOCore
import NIOHTTP1
import SynapseLocalSystem

extension EngineRelay {
  /// One request on its way through.
  final class Exchange {
    let request: BufferedRequest
    let endpoint: StableEndpoint
    let deadline: NIODeadline
    var holdingSince: NIODeadline?
    var replayed = false
    /// The engine port this exchange is counted against (a swap drains by these counts).
    var countedPort: Int?
    /// Sent on a connection kept from an earlier request, which the engine may have closed since.
    var reused = false
    var retriedFresh = false
    /// The engine's head has gone to the client: from here the answer cannot be sent again.
    var answering = false
    var streaming = false
    var engineKeepsAlive = true
    var code: UInt = 0
    /// The next look for an engine while held.
    var timer: Scheduled<Void>?
    /// By when the engine's first byte must come (nil: not waiting for one).
    var firstByteDue: NIODeadline?
    /// A generative request (chat, completion, embeddings): its answer's end is kept for the
    /// token counts and timings the engine writes there, and the model it was sent to.
    let operation: GenAIOperation?
    var tail = AnswerTail()
    var model: String?
    /// Whether the client asked for a stream (read once, when it is first held).
    var streamed: Bool?
    /// A held stream got its head (and progress comments) from the endpoint before the engine
    /// answered; `progressTimer`: the next comment. An engine answer that is not an event stream
    /// is then collected (`collected`) and sent as one event.
    var earlyHead = false
    var progressTimer: Scheduled<Void>?
    var collected: ByteBuffer?

    init(request: BufferedRequest, endpoint: StableEndpoint) {
      self.request = request
      self.endpoint = endpoint
      deadline = request.arrived + TimeAmount(endpoint.holdLimit)
      operation = GenAIOperation(request.head)
    }
  }
}
