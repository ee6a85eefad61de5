import Foundation
import NIOCore
import NIOHTTP1
import SynapseLocalSystem

/// One client's `/api/events`: every `interval` it takes the board's snapshot and sends a `status`
/// event when the status or the chart changed, and a `logs` event when a log did (never to another
/// host); a comment line when nothing was sent for `heartbeat`. A client that stops reading is sent
/// nothing until it reads again, and then the newest state only. Lives on the connection's event loop.
final class StatusEvents {
  static let interval = TimeAmount.milliseconds(500)
  static let heartbeat = TimeAmount.seconds(15)

  let board: StatusBoard
  let loopback: Bool
  unowned let client: ClientConnectionHandler
  let loop: any EventLoop
  private var timer: Scheduled<Void>?
  private var stopped = false
  private var lastStatus: String?
  private var lastLogs: String?
  private var lastWrite = NIODeadline.now()

  init(board: StatusBoard, loopback: Bool, client: ClientConnectionHandler, loop: any EventLoop) {
    self.board = board
    self.loopback = loopback
    self.client = client
    self.loop = loop
  }

  func start(head: Bool) {
    let headers = HTTPHeaders([
      ("Content-Type", EventStream.contentType), ("Cache-Control", "no-store"), ("X-Accel-Buffering", "no"),
    ])
    client.sendHead(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))
    guard !head else { return client.finish() }
    // A browser that lost the stream asks again after 1 s, not its default 3 s.
    write("retry: 1000\n\n")
    tick()
  }

  func stop() {
    stopped = true
    timer?.cancel()
    timer = nil
  }

  /// The next tick `interval` after this one's snapshot was handled: never two reads at once.
  private func scheduleTick() {
    guard !stopped else { return }
    timer = loop.assumeIsolated().scheduleTask(in: Self.interval) { [weak self] in self?.tick() }
  }

  private func tick() {
    guard !stopped, client.isOpen else { return }
    guard client.isWritable else { return scheduleTick() }
    let (board, loopback) = (board, loopback)
    let promise = loop.makePromise(of: (String, String?).self)
    promise.completeWithTask {
      let snapshot = await board.snapshot().forClient(loopback: loopback)
      return (try JSONDocument.line(snapshot), try snapshot.logs.map { try JSONDocument.line($0) })
    }
    promise.futureResult.assumeIsolated().whenComplete { [weak self] result in
      guard let self else { return }
      defer { scheduleTick() }
      guard case .success(let (status, logs)) = result, !stopped, client.isOpen else { return }
      var text = ""
      if status != lastStatus { text += EventStream.event("status", data: status) }
      if let logs, logs != lastLogs { text += EventStream.event("logs", data: logs) }
      (lastStatus, lastLogs) = (status, logs ?? lastLogs)
      if text.isEmpty && NIODeadline.now() - lastWrite >= Self.heartbeat { text = EventStream.comment("heartbeat") }
      if !text.isEmpty { write(text) }
    }
  }

  private func write(_ text: String) {
    lastWrite = .now()
    client.sendBody(client.allocator.buffer(string: text))
  }
}
