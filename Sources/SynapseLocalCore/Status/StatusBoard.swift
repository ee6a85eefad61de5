import Foundation
import SynapseLocalSystem

/// The status page's source: the supervisor's status, the chat engine's speed sampled every few
/// seconds (kept here, bounded), and each service's last log lines. Every client of the page and of
/// `/api/events` reads the same snapshot, made at most once per `freshness`, so ten open pages cost
/// what one does; a log is read again only when its size changed.
public actor StatusBoard {
  /// One service's log, and the paths of the supervisor's own requests to it (`ProbeLines`).
  public struct LogSource: Sendable, Equatable {
    public var service: ServiceName
    public var path: String
    public var probePaths: [String]

    public init(service: ServiceName, path: String, probePaths: [String]) {
      self.service = service
      self.path = path
      self.probePaths = probePaths
    }
  }

  /// What the board reads: the supervisor's status, the chat engine's `/metrics` (its served name
  /// and reading; nil while it is not healthy), and the services' logs.
  public struct Sources: Sendable {
    public var status: @Sendable () async -> StackStatus
    public var engine: @Sendable () async -> (model: String?, reading: EngineReading)?
    public var logs: @Sendable () async -> [LogSource]

    public init(
      status: @escaping @Sendable () async -> StackStatus,
      engine: @escaping @Sendable () async -> (model: String?, reading: EngineReading)?,
      logs: @escaping @Sendable () async -> [LogSource]
    ) {
      self.status = status
      self.engine = engine
      self.logs = logs
    }
  }

  public static let logLines = 50

  let sources: Sources
  let files: any FileSystem
  let time: any TimeSource
  let freshness: Duration
  public private(set) var history: ThroughputHistory
  private var previous: (reading: EngineReading, at: Duration)?
  private var latest: (snapshot: StatusSnapshot, at: Duration)?
  private var logCache: [String: (size: UInt64, lines: [String])] = [:]

  public init(
    sources: Sources, files: any FileSystem, time: any TimeSource, history: ThroughputHistory = ThroughputHistory(),
    freshness: Duration = .milliseconds(250)
  ) {
    self.sources = sources
    self.files = files
    self.time = time
    self.history = history
    self.freshness = freshness
  }

  /// The snapshot with every log line in it (`forClient` takes them out for another host).
  public func snapshot() async -> StatusSnapshot {
    if let latest, time.duration(since: latest.at) < freshness { return latest.snapshot }
    let status = await sources.status()
    var logs: [String: [String]] = [:]
    for source in await sources.logs() { logs[source.service.rawValue] = tail(source) }
    let snapshot = StatusSnapshot(status: status, throughput: history, logs: logs, madeAt: time.now)
    latest = (snapshot, time.elapsed)
    return snapshot
  }

  /// Reads the chat engine once and adds a sample: its speed since the last reading, or a gap.
  public func sample() async {
    let now = time.elapsed
    guard let engine = await sources.engine() else {
      previous = nil
      history.record(.init(model: nil, speed: EngineSpeed(prompt: nil, generation: nil)))
      return
    }
    let speed =
      previous.map { EngineSpeed(from: $0.reading, to: engine.reading, seconds: Self.seconds(now - $0.at)) }
      ?? EngineSpeed(prompt: nil, generation: nil)
    previous = (engine.reading, now)
    history.record(.init(model: engine.model, speed: speed))
  }

  /// Samples every `history.intervalSeconds` until cancelled.
  public func run() async {
    while !Task.isCancelled {
      await sample()
      guard (try? await time.sleep(for: .seconds(history.intervalSeconds))) != nil else { return }
    }
  }

  private func tail(_ source: LogSource) -> [String] {
    guard files.exists(source.path) else { return [] }
    let size = LogFiles.size(source.path, files: files)
    if let cached = logCache[source.path], cached.size == size { return cached.lines }
    // Read well past 50 lines: most of a quiet service's recent lines may be probes.
    let text = LogFiles.tail(source.path, lines: Self.logLines * 20, files: files)
    let lines = ProbeLines.tail(text, count: Self.logLines, paths: source.probePaths)
    logCache[source.path] = (size, lines)
    return lines
  }

  static func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
  }
}
