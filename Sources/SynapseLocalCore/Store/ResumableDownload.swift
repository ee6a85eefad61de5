import Foundation
import SynapseLocalSystem

/// One file's bytes fetched into a partial file on disk: hashed while they arrive, resumed after
/// what is already there, split over ranged connections when large, and retried after dropped
/// connections, 429 and 5xx. The model store and the runtime installer both download through it.
public struct ResumableDownload: Sendable {
  public var transport: any HTTPTransport
  /// Where the partial file is written.
  public var files: any FileSystem
  public var retry: RetryPolicy
  /// The headers for bytes `offset` through `last` (nil: to the end) of `location`; a caller adds
  /// its credentials here, and only for the hosts they are meant for.
  public var headers: @Sendable (_ location: String, _ offset: UInt64, _ last: UInt64?) -> [String: String]
  /// Parallel ranged connections per large file, and the least bytes worth one of them.
  public var connections = RangePlan.defaultConnections
  public var minimumPartBytes = RangePlan.defaultMinimumPart
  /// (name, bytes so far, total).
  public var progress: (@Sendable (String, UInt64, UInt64) -> Void)?

  public init(
    transport: any HTTPTransport, files: any FileSystem, retry: RetryPolicy,
    headers: @escaping @Sendable (String, UInt64, UInt64?) -> [String: String] = ResumableDownload.plainHeaders
  ) {
    self.transport = transport
    self.files = files
    self.retry = retry
    self.headers = headers
  }

  /// No credentials: identity encoding and the range.
  public static let plainHeaders: @Sendable (String, UInt64, UInt64?) -> [String: String] = { _, offset, last in
    var headers = ["Accept-Encoding": "identity"]
    if offset > 0 || last != nil { headers["Range"] = "bytes=\(offset)-\(last.map(String.init) ?? "")" }
    return headers
  }

  struct Target {
    var location: String
    var size: UInt64
  }

  /// Streams the file at `location` into `partial`, resuming after what is already there (hashed first), and
  /// returns its SHA-256 and the digest its etag is compared with (SHA-256 for LFS files, the git
  /// blob SHA-1 for small ones). A large file is split over `connections` ranged requests; a
  /// server that ignores Range gets one request for the whole file instead.
  public func download(from location: String, size: UInt64, gitSHA1: Bool, name path: String, to partial: String) async throws -> (
    sha256: String, check: String
  ) {
    let metadata = Target(location: location, size: size)
    let sink = try DigestingSink(path: partial, expectedSize: size, gitSHA1: gitSHA1, files: files)
    let ranges = RangePlan.split(size: metadata.size, connections: connections, minimumPart: minimumPartBytes)
    guard ranges.count > 1 else { return try await downloadWhole(metadata, path: path, into: sink, useRange: true) }
    let parted = try PartedSink(main: sink, ranges: ranges)
    do {
      try await downloadRanges(metadata, path: path, into: parted)
      return try parted.finish()
    } catch is RangeIgnored {
      parted.discardParts()
      return try await downloadWhole(metadata, path: path, into: try sink.restarted(), useRange: false)
    }
  }

  /// One connection for the whole file. Dropped connections, 429 and 5xx are retried, resuming
  /// where the bytes stopped; a server that ignores Range gets the file again from byte 0.
  func downloadWhole(_ metadata: Target, path: String, into start: DigestingSink, useRange initialUseRange: Bool)
    async throws -> (sha256: String, check: String)
  {
    var sink = start
    var useRange = initialUseRange
    var retries = RetryCounter(policy: retry, url: metadata.location)
    progress?(path, sink.written, metadata.size)
    while sink.written < metadata.size {
      let offset = useRange ? sink.written : 0
      if offset == 0 && sink.written > 0 { sink = try sink.restarted() }
      let progress = self.progress
      let current = sink
      let before = sink.written
      let outcome: Attempt
      do {
        outcome = try await getOnce(metadata.location, from: offset, through: nil) { status, chunk in
          // 200 to a Range request: the body starts at byte 0, not where we are.
          if offset > 0 && status == 200 { throw RangeIgnored() }
          try current.append(chunk)
          progress?(path, current.written, metadata.size)
        }
      } catch is RangeIgnored {
        useRange = false
        continue
      }
      try await retries.afterAttempt(outcome, before: before, after: sink.written)
    }
    return try sink.finish()
  }

  /// One connection per range, all at once; the first range that gives up stops the others.
  func downloadRanges(_ metadata: Target, path: String, into sink: PartedSink) async throws {
    progress?(path, sink.written, metadata.size)
    try await withThrowingTaskGroup(of: Void.self) { group in
      for index in sink.ranges.indices where sink.nextOffset(index) != nil {
        group.addTask {
          do {
            try await downloadRange(index, metadata, path: path, into: sink)
          } catch {
            sink.abort()
            throw error
          }
        }
      }
      try await group.waitForAll()
    }
  }

  func downloadRange(_ index: Int, _ metadata: Target, path: String, into sink: PartedSink) async throws {
    var retries = RetryCounter(policy: retry, url: metadata.location)
    let last = sink.ranges[index].upperBound - 1
    let progress = self.progress
    while let offset = sink.nextOffset(index) {
      let outcome = try await getOnce(metadata.location, from: offset, through: last) { status, chunk in
        guard status == 206 else { throw RangeIgnored() }
        try sink.append(index, chunk)
        progress?(path, sink.written, metadata.size)
      }
      try await retries.afterAttempt(outcome, before: offset, after: sink.nextOffset(index) ?? last + 1)
    }
  }

  enum Attempt {
    case ended
    case retry(after: String?)
  }

  /// One GET of the bytes from `offset` (through `last` when given), 2xx bodies streamed to `write`.
  /// Says whether to try again: a dropped connection, 429 or 5xx; any other error status throws.
  func getOnce(_ location: String, from offset: UInt64, through last: UInt64?, write: @escaping BodyHandler) async throws -> Attempt {
    let headers = self.headers(location, offset, last)
    do {
      let response = try await transport.send(HTTPRequest(url: location, headers: headers), onBody: write)
      if RetryPolicy.isRetryable(status: response.status) { return .retry(after: response.header("Retry-After")) }
      guard (200..<300).contains(response.status) else {
        throw StoreError.downloadFailed(
          url: location, status: response.status, message: String(decoding: response.body.prefix(200), as: UTF8.self))
      }
      return .ended
    } catch let error as HTTPError {
      guard case .transport = error else { throw error }
      return .retry(after: nil)
    }
  }

  /// Counts failed attempts of one connection; progress resets the count (a flaky link, not a
  /// dead one), and too many in a row give up with the way to resume.
  struct RetryCounter {
    let policy: RetryPolicy
    let url: String
    var failures = 0

    init(policy: RetryPolicy, url: String) {
      self.policy = policy
      self.url = url
    }

    /// `before` and `after` are where the connection stood around the attempt.
    mutating func afterAttempt(_ outcome: Attempt, before: UInt64, after: UInt64) async throws {
      var retryAfter: String?
      switch outcome {
      case .ended where after > before: return
      case .ended: break  // a 2xx that ended early without a byte
      case .retry(let value): retryAfter = value
      }
      if after > before { failures = 0 }
      failures += 1
      guard failures < policy.attempts else {
        throw StoreError.downloadFailed(url: url, status: 0, message: "gave up after \(failures) attempts; run the command again to resume")
      }
      try await policy.sleep(policy.delay(attempt: failures - 1, retryAfter: retryAfter))
    }
  }

  struct RangeIgnored: Error {}
}
