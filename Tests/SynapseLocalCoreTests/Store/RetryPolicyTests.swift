import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@Suite("Retry policy")
struct RetryPolicyTests {
  @Test func backoffDoublesAndIsCapped() {
    let policy = RetryPolicy(baseDelay: .seconds(1), maxDelay: .seconds(30), time: ManualClock())
    #expect((0..<7).map { policy.delay(attempt: $0, retryAfter: nil) } == [1, 2, 4, 8, 16, 30, 30].map { Duration.seconds($0) })
  }

  @Test func retryAfterWinsButIsCapped() {
    let policy = RetryPolicy(maxDelay: .seconds(30), time: ManualClock())
    #expect(policy.delay(attempt: 5, retryAfter: "3") == .seconds(3))
    #expect(policy.delay(attempt: 0, retryAfter: "3600") == .seconds(30))
    #expect(policy.delay(attempt: 0, retryAfter: "soon") == .seconds(1))
  }

  @Test func whatIsRetried() {
    #expect([429, 500, 502, 503, 504].allSatisfy(RetryPolicy.isRetryable(status:)))
    #expect(![200, 206, 301, 401, 403, 404, 416].contains(where: RetryPolicy.isRetryable(status:)))
  }
}

/// Offline, the Hub's name does not resolve: `pull` and `swap` fail at once (they waited out 31 s
/// of backoff) and say what works without a network. Real curl, a name under `.invalid`, which
/// never resolves (RFC 2606).
@Suite("An unresolvable Hub")
struct UnresolvableHubTests {
  final class Sleeps: @unchecked Sendable {
    let lock = NSLock()
    var count = 0
    func add() { lock.withLock { count += 1 } }
  }

  @Test func aNameThatDoesNotResolveFailsAtOnceWithTheOfflineWays() async throws {
    let sleeps = Sleeps()
    let policy = RetryPolicy(sleep: { _ in sleeps.add() })
    let hub = HubClient(endpoint: "http://hub.synapse-local-test.invalid", token: nil, transport: CurlTransport(), retry: policy)
    await #expect {
      _ = try await hub.metadata(try RepositoryID("acme/tiny"), revision: "main", path: "tiny.gguf")
    } throws: { error in
      guard case StoreError.hubUnresolvable(let host) = error else { return false }
      let message = String(describing: error)
      return host == "hub.synapse-local-test.invalid" && message.contains("models import") && message.contains("bundle import")
        && message.contains("HF_HUB_OFFLINE=1")
    }
    #expect(sleeps.count == 0, "a name that does not resolve was tried again")
  }
}

@Suite("Download space check")
struct DiskSpaceTests {
  @Test func aFullDiskIsRefusedBeforeDownloading() throws {
    var puller = ModelPuller(
      cache: HubCache(root: "/nonexistent", files: MemoryFileSystem(roots: [])),
      hub: HubClient(endpoint: "http://127.0.0.1:9", token: nil, transport: CurlTransport(), retry: RetryPolicy(time: ManualClock())),
      time: ManualClock())
    puller.freeSpace = { _ in 100 << 20 }
    #expect(throws: StoreError.diskFull(path: "/x", needed: 50 << 20, free: 100 << 20)) {
      try puller.checkFreeSpace("/x", needed: 50 << 20)
    }
    try puller.checkFreeSpace("/x", needed: 30 << 20)
    #expect(StoreError.diskFull(path: "/x", needed: 1 << 30, free: 1 << 20).description.contains("HF_HUB_CACHE"))
  }
}
