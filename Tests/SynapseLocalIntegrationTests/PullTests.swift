import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// `pull` against the fake Hub, over real HTTP on loopback, with the real huggingface_hub and
/// sentence-transformers as the judges of the store it writes.
@Suite("pull from the fake Hub", .tags(.integration), .serialized)
struct PullTests {
  static let gguf = "SmolLM2-135M-Instruct.Q4_1.gguf"

  /// A fake Hub with a GGUF repository, a gated copy, and MiniLM; a fresh store per test.
  struct Bed {
    let hub: FakeHub
    let store: String
    let ggufFolder: String
    let python: String

    static func start(
      faults: [String: [String]] = [:], hostile: Set<String> = [], hostileValues: [String: [String: String]] = [:]
    ) async throws -> Bed {
      let python = try TestBed.require(.python)
      let folder = NSTemporaryDirectory() + "pull-gguf-\(UUID().uuidString)"
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      try FileManager.default.createSymbolicLink(atPath: folder + "/" + PullTests.gguf, withDestinationPath: try TestBed.require(.smolLM2))
      try #"{"model_type": "llama"}"#.write(toFile: folder + "/config.json", atomically: true, encoding: .utf8)
      let hub = try await FakeHub(
        python: python,
        repositories: [
          "acme/tiny-gguf": folder, "acme/gated": folder, "sentence-transformers/all-MiniLM-L6-v2": try TestBed.require(.miniLM),
        ],
        gated: ["acme/gated"], faults: faults, hostile: hostile, hostileValues: hostileValues)
      return Bed(hub: hub, store: NSTemporaryDirectory() + "pull-store-\(UUID().uuidString)", ggufFolder: folder, python: python)
    }

    func pull(_ arguments: [String], token: String? = nil, offline: Bool = false) async throws -> CLIResult {
      var environment = ["HF_ENDPOINT": hub.endpoint, "HF_HUB_CACHE": store, "HF_TOKEN": token ?? "", "HF_HOME": store + "/home"]
      if offline { environment["HF_HUB_OFFLINE"] = "1" }
      return try await CLIRunner.run(["pull"] + arguments, environment: environment)
    }

    func python(_ script: String, offline: Bool = true) async throws -> [String: Any] {
      var environment = ProcessInfo.processInfo.environment
      environment["HF_HUB_CACHE"] = store
      environment["HF_ENDPOINT"] = hub.endpoint
      environment["HF_HUB_DISABLE_TELEMETRY"] = "1"
      environment["TOKENIZERS_PARALLELISM"] = "false"
      if offline { environment["HF_HUB_OFFLINE"] = "1" }
      let (status, output) = try await runCommand(python, ["-c", script], environment: environment)
      guard status == 0, let line = output.split(separator: "\n").last(where: { $0.hasPrefix("{") }) else {
        throw TestFailure("python failed:\n\(output.suffix(2000))")
      }
      return try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
    }

    func stop() async {
      await hub.stop()
      try? FileManager.default.removeItem(atPath: store)
      try? FileManager.default.removeItem(atPath: ggufFolder)
    }
  }

  /// Runs `body` against a fresh fake Hub and store, stopping the Hub however `body` ends.
  func withBed(
    faults: [String: [String]] = [:], hostile: Set<String> = [], hostileValues: [String: [String: String]] = [:],
    _ body: (Bed) async throws -> Void
  ) async throws {
    let bed = try await Bed.start(faults: faults, hostile: hostile, hostileValues: hostileValues)
    do {
      try await body(bed)
    } catch {
      await bed.stop()
      throw error
    }
    await bed.stop()
  }

  @Test(.timeLimit(.minutes(3)), .enabled(if: TestBed.shouldRun(.python, .miniLM, .smolLM2)))
  func singleFileAndWholeRepositoryLoadOffline() async throws {
    try await withBed { bed in
      let file = try await bed.pull(["acme/tiny-gguf/\(Self.gguf)", "--json"])
      #expect(file.status == 0, "\(file.stderr)")
      let results = try JSONDecoder().decode([ModelPuller.Result].self, from: Data(file.stdout.utf8))
      let pulled = try #require(results.first)
      let expectedSHA = try Digest.sha256(ofFile: try TestBed.require(.smolLM2), files: RootedFileSystem())
      #expect(pulled.files.map(\.sha256) == [expectedSHA])
      #expect(pulled.path.hasSuffix("/snapshots/\(pulled.commit)/\(Self.gguf)"))

      let repo = try await bed.pull(["sentence-transformers/all-MiniLM-L6-v2", "--quiet"])
      #expect(repo.status == 0, "\(repo.stderr)")
      #expect(repo.stdout.hasSuffix("\n") && repo.stdout.contains("/snapshots/"))

      let loaded = try await bed.python(
        """
        import json
        from huggingface_hub import hf_hub_download
        from sentence_transformers import SentenceTransformer
        path = hf_hub_download("acme/tiny-gguf", "\(Self.gguf)")
        dims = int(SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2", device="cpu").encode(["hi"]).shape[1])
        print(json.dumps({"path": path, "dims": dims}))
        """)
      #expect(loaded["path"] as? String == pulled.path)
      #expect(loaded["dims"] as? Int == 384)
      // LFS bodies came from the CDN host, without the token, each byte once.
      let requests = try await bed.hub.settledCDNRequests()
      let safetensors = try TestBed.require(.miniLM) + "/model.safetensors"
      let lfsBytes = try [TestBed.require(.smolLM2), safetensors].map {
        try FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int ?? 0
      }
      #expect(
        Set(requests.compactMap { $0["blob"] as? String }) == [
          expectedSHA, try Digest.sha256(ofFile: safetensors, files: RootedFileSystem()),
        ])
      #expect(requests.compactMap { $0["sent"] as? Int }.reduce(0, +) == lfsBytes.reduce(0, +))
      #expect(requests.allSatisfy { $0["authorization"] as? Bool == false })
    }
  }

  /// A blob huggingface_hub already downloaded is reused: no second transfer.
  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.python, .miniLM, .smolLM2)))
  func reusesWhatHuggingfaceHubDownloaded() async throws {
    try await withBed { bed in
      _ = try await bed.python(
        """
        import json
        from huggingface_hub import hf_hub_download
        print(json.dumps({"path": hf_hub_download("acme/tiny-gguf", "\(Self.gguf)")}))
        """, offline: false)
      #expect(bed.hub.cdnRequests.count == 1)
      let result = try await bed.pull(["acme/tiny-gguf/\(Self.gguf)", "--json"])
      #expect(result.status == 0, "\(result.stderr)")
      let pulled = try JSONDecoder().decode([ModelPuller.Result].self, from: Data(result.stdout.utf8))
      #expect(pulled.first?.files.first?.downloaded == false)
      #expect(bed.hub.cdnRequests.count == 1)
    }
  }

  /// Gated without a token: one line naming the repository and what to do. With it: the token goes
  /// to the Hub and never to the CDN host.
  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.python, .miniLM, .smolLM2)))
  func gatedRepository() async throws {
    try await withBed { bed in
      let refused = try await bed.pull(["acme/gated/\(Self.gguf)"])
      #expect(refused.status == 1)
      #expect(refused.stderr.contains("acme/gated") && refused.stderr.contains("HF_TOKEN") && refused.stderr.contains("licence"))
      #expect(refused.stderr.split(separator: "\n").count == 1)
      let wrong = try await bed.pull(["acme/gated/\(Self.gguf)"], token: "hf_wrong")
      #expect(wrong.status == 1)

      let allowed = try await bed.pull(["acme/gated", "--quiet"], token: bed.hub.token)
      #expect(allowed.status == 0, "\(allowed.stderr)")
      #expect(!bed.hub.cdnRequests.isEmpty)
      #expect(bed.hub.cdnRequests.allSatisfy { $0["authorization"] as? Bool == false })
    }
  }

  /// An interrupted download resumes from its partial file with a Range request; a partial file
  /// holding wrong bytes ends in a digest mismatch and nothing becomes visible.
  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.python, .miniLM, .smolLM2)))
  func resumeAndCorruption() async throws {
    try await withBed { bed in
      let source = try TestBed.require(.smolLM2)
      let sha = try Digest.sha256(ofFile: source, files: RootedFileSystem())
      let blobs = bed.store + "/models--acme--tiny-gguf/blobs"
      try FileManager.default.createDirectory(atPath: blobs, withIntermediateDirectories: true)
      let head = try FileHandle(forReadingFrom: URL(fileURLWithPath: source)).read(upToCount: 10_000_000) ?? Data()
      try head.write(to: URL(fileURLWithPath: blobs + "/\(sha).incomplete"))

      let resumed = try await bed.pull(["acme/tiny-gguf/\(Self.gguf)", "--quiet", "--connections", "1"])
      #expect(resumed.status == 0, "\(resumed.stderr)")
      #expect(bed.hub.cdnRequests.map { $0["range"] as? String } == ["bytes=10000000-"])
      #expect(try Digest.sha256(ofFile: blobs + "/" + sha, files: RootedFileSystem()) == sha)

      // Wrong bytes in a partial file of another repository: refused, nothing stored.
      let gatedBlobs = bed.store + "/models--acme--gated/blobs"
      try FileManager.default.createDirectory(atPath: gatedBlobs, withIntermediateDirectories: true)
      try Data(repeating: 0x42, count: 1_000_000).write(to: URL(fileURLWithPath: gatedBlobs + "/\(sha).incomplete"))
      let corrupt = try await bed.pull(["acme/gated/\(Self.gguf)"], token: bed.hub.token)
      #expect(corrupt.status == 1)
      #expect(corrupt.stderr.contains("corrupted") && corrupt.stderr.contains(sha))
      #expect(!FileManager.default.fileExists(atPath: gatedBlobs + "/" + sha))
      #expect(!FileManager.default.fileExists(atPath: gatedBlobs + "/\(sha).incomplete"))
      #expect(!FileManager.default.fileExists(atPath: bed.store + "/models--acme--gated/snapshots"))
      // Run again: a clean download this time.
      let again = try await bed.pull(["acme/gated/\(Self.gguf)", "--quiet"], token: bed.hub.token)
      #expect(again.status == 0, "\(again.stderr)")
    }
  }

  /// kill -9 in the middle of a pull (the CDN stalls after 40 MB, past two writeback steps), as a
  /// power cut's stand-in: only the partial file is left, never a blob or a snapshot under the
  /// file's name, and the next pull resumes after the bytes on disk and verifies the whole file.
  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.python, .miniLM, .smolLM2)))
  func aPullKilledMidFileResumes() async throws {
    let sha = try Digest.sha256(ofFile: try TestBed.require(.smolLM2), files: RootedFileSystem())
    let stalled = 40_000_000
    try await withBed(faults: [sha: ["stall:\(stalled)"]]) { bed in
      let blobs = bed.store + "/models--acme--tiny-gguf/blobs"
      var environment = ProcessInfo.processInfo.environment
      environment.merge(["HF_ENDPOINT": bed.hub.endpoint, "HF_HUB_CACHE": bed.store, "HF_TOKEN": "", "HF_HOME": bed.store + "/home"]) { $1 }
      let pull = try TestProcess(
        Fixtures.executable, ["pull", "acme/tiny-gguf/\(Self.gguf)", "--quiet", "--connections", "1"], environment: environment)
      var size = 0
      for _ in 0..<600 where size < stalled {
        try await Task.sleep(for: .milliseconds(50))
        size = (try? FileManager.default.attributesOfItem(atPath: blobs + "/\(sha).incomplete")[.size] as? Int) ?? 0
      }
      #expect(size == stalled, "\(pull.log)")
      kill(try #require(pull.processIdentifier), SIGKILL)
      for _ in 0..<100 where pull.isRunning { try await Task.sleep(for: .milliseconds(50)) }
      await pull.stop()
      #expect(try FileManager.default.contentsOfDirectory(atPath: blobs) == ["\(sha).incomplete"])
      #expect(!FileManager.default.fileExists(atPath: bed.store + "/models--acme--tiny-gguf/snapshots"))

      let resumed = try await bed.pull(["acme/tiny-gguf/\(Self.gguf)", "--json", "--connections", "1"])
      #expect(resumed.status == 0, "\(resumed.stderr)")
      let pulled = try JSONDecoder().decode([ModelPuller.Result].self, from: Data(resumed.stdout.utf8))
      #expect(pulled.first?.files.first?.sha256 == sha)
      #expect(bed.hub.cdnRequests.map { $0["range"] as? String } == [nil, "bytes=\(stalled)-"])
      #expect(try Digest.sha256(ofFile: blobs + "/" + sha, files: RootedFileSystem()) == sha)
      #expect(try FileManager.default.contentsOfDirectory(atPath: blobs) == [sha])
    }
  }

  /// 429 (Retry-After), 500, a connection cut after 5 MB and a CDN that ignores Range: the pull
  /// retries, resumes at the cut, starts over when Range is ignored, and ends with the right digest.
  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.python, .miniLM, .smolLM2)))
  func retriesResumesAndRestarts() async throws {
    let sha = try Digest.sha256(ofFile: try TestBed.require(.smolLM2), files: RootedFileSystem())
    try await withBed(faults: [sha: ["429", "500", "cut:5000000", "norange"]]) { bed in
      let result = try await bed.pull(["acme/tiny-gguf/\(Self.gguf)", "--json", "--connections", "1"])
      #expect(result.status == 0, "\(result.stderr)")
      let pulled = try JSONDecoder().decode([ModelPuller.Result].self, from: Data(result.stdout.utf8))
      #expect(pulled.first?.files.first?.sha256 == sha)
      // 429, 500, the cut full request, the resume (answered from byte 0), the fresh start.
      #expect(bed.hub.cdnRequests.map { $0["range"] as? String } == [nil, nil, nil, "bytes=5000000-", nil])
    }
  }

  /// A body corrupted in transit is refused: nothing becomes visible, and the next pull is clean.
  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.python, .miniLM, .smolLM2)))
  func corruptedBodyIsRefused() async throws {
    let sha = try Digest.sha256(ofFile: try TestBed.require(.smolLM2), files: RootedFileSystem())
    try await withBed(faults: [sha: ["corrupt"]]) { bed in
      let refused = try await bed.pull(["acme/tiny-gguf/\(Self.gguf)"])
      #expect(refused.status == 1)
      #expect(refused.stderr.contains("corrupted") && refused.stderr.contains("expected digest \(sha)"))
      let blobs = bed.store + "/models--acme--tiny-gguf/blobs"
      #expect(((try? FileManager.default.contentsOfDirectory(atPath: blobs)) ?? []).isEmpty)
      #expect(!FileManager.default.fileExists(atPath: bed.store + "/models--acme--tiny-gguf/snapshots"))
      let again = try await bed.pull(["acme/tiny-gguf/\(Self.gguf)", "--quiet"])
      #expect(again.status == 0, "\(again.stderr)")
    }
  }

  /// Two pulls of one blob at once: the second waits on huggingface_hub's per-blob lock and
  /// reuses the first's download, so the CDN sends the file's bytes once (the first request is
  /// slowed by 2 s to make the two overlap).
  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.python, .miniLM, .smolLM2)))
  func concurrentPullsDownloadOnce() async throws {
    let sha = try Digest.sha256(ofFile: try TestBed.require(.smolLM2), files: RootedFileSystem())
    try await withBed(faults: [sha: ["slow"]]) { bed in
      async let first = bed.pull(["acme/tiny-gguf/\(Self.gguf)", "--quiet"])
      try await Task.sleep(for: .milliseconds(300))
      async let second = bed.pull(["acme/tiny-gguf/\(Self.gguf)", "--quiet"])
      let (a, b) = try await (first, second)
      #expect(a.status == 0 && b.status == 0, "\(a.stderr)\(b.stderr)")
      #expect(a.stdout == b.stdout)
      let sent = try await bed.hub.settledCDNRequests().compactMap { $0["sent"] as? Int }.reduce(0, +)
      #expect(sent == Int(try FileManager.default.attributesOfItem(atPath: try TestBed.require(.smolLM2))[.size] as? UInt64 ?? 0))
      #expect(try Digest.sha256(ofFile: bed.store + "/models--acme--tiny-gguf/blobs/\(sha)", files: RootedFileSystem()) == sha)
      #expect(FileManager.default.fileExists(atPath: bed.store + "/.locks/models--acme--tiny-gguf/\(sha).lock"))
    }
  }

  /// Four ranged connections, the first range held back 2 s by the CDN so the others end first:
  /// the digest is right, the ranges tile the file, and the CDN sent every byte exactly once.
  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.python, .miniLM, .smolLM2)))
  func fourConnectionsOutOfOrder() async throws {
    let source = try TestBed.require(.smolLM2)
    let sha = try Digest.sha256(ofFile: source, files: RootedFileSystem())
    let size = try FileManager.default.attributesOfItem(atPath: source)[.size] as? UInt64 ?? 0
    try await withBed(faults: [sha: ["slow-from:0"]]) { bed in
      let result = try await bed.pull(["acme/tiny-gguf/\(Self.gguf)", "--json", "--connections", "4"])
      #expect(result.status == 0, "\(result.stderr)")
      let pulled = try JSONDecoder().decode([ModelPuller.Result].self, from: Data(result.stdout.utf8))
      #expect(pulled.first?.files.first?.sha256 == sha)
      #expect(try Digest.sha256(ofFile: bed.store + "/models--acme--tiny-gguf/blobs/" + sha, files: RootedFileSystem()) == sha)

      let requests = try await bed.hub.settledCDNRequests()
      let expected = RangePlan.split(size: size, connections: 4).map { "bytes=\($0.lowerBound)-\($0.upperBound - 1)" }
      #expect(requests.compactMap { $0["range"] as? String }.sorted() == expected.sorted())
      #expect(requests.compactMap { $0["sent"] as? Int }.reduce(0, +) == Int(size))
      // The held-back first range ended last: the others waited in their part files.
      let first = requests.first { $0["range"] as? String == expected[0] }
      #expect(first?["end_order"] as? Int == 3)
      let blobs = try FileManager.default.contentsOfDirectory(atPath: bed.store + "/models--acme--tiny-gguf/blobs")
      #expect(blobs == [sha])
    }
  }

  /// A connection cut mid-range resumes that range alone, and the bytes add up to the file once.
  /// A CDN that ignores Range makes the pull fall back to one request for the whole file.
  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.python, .miniLM, .smolLM2)))
  func parallelRangesSurviveCutsAndServersWithoutRange() async throws {
    let source = try TestBed.require(.smolLM2)
    let sha = try Digest.sha256(ofFile: source, files: RootedFileSystem())
    let size = try FileManager.default.attributesOfItem(atPath: source)[.size] as? Int ?? 0
    try await withBed(faults: [sha: ["cut:3000000"]]) { bed in
      let result = try await bed.pull(["acme/tiny-gguf/\(Self.gguf)", "--quiet"])
      #expect(result.status == 0, "\(result.stderr)")
      let requests = try await bed.hub.settledCDNRequests()
      #expect(requests.count == 5)
      #expect(requests.compactMap { $0["sent"] as? Int }.reduce(0, +) == size)
    }
    try await withBed(faults: [sha: ["norange"]]) { bed in
      let result = try await bed.pull(["acme/tiny-gguf/\(Self.gguf)", "--quiet"])
      #expect(result.status == 0, "\(result.stderr)")
      #expect(try Digest.sha256(ofFile: bed.store + "/models--acme--tiny-gguf/blobs/" + sha, files: RootedFileSystem()) == sha)
      let requests = try await bed.hub.settledCDNRequests()
      #expect(requests.last?["range"] is NSNull)
      #expect(requests.last?["sent"] as? Int == size)
      #expect(try FileManager.default.contentsOfDirectory(atPath: bed.store + "/models--acme--tiny-gguf/blobs") == [sha])
    }
  }

  /// In a project, pulls pin files in synapse-local.lock; a file that no longer matches its pin
  /// is refused before anything is fetched, unless --update.
  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.python, .miniLM, .smolLM2)))
  func lockPinsFiles() async throws {
    let project = NSTemporaryDirectory() + "pull-project-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: project) }
    try await withBed { bed in
      // Outside a project no lock is written.
      let loose = try await bed.pull(["acme/tiny-gguf/config.json", "--quiet", "--project", project])
      #expect(loose.status == 0, "\(loose.stderr)")
      #expect(!FileManager.default.fileExists(atPath: project + "/synapse-local.lock"))

      // A project (an empty or comments-only file is refused as no project at all).
      try "version: 1\n".write(toFile: project + "/synapse-local.yaml", atomically: true, encoding: .utf8)
      let pinned = try await bed.pull(["acme/tiny-gguf", "--quiet", "--project", project])
      #expect(pinned.status == 0, "\(pinned.stderr)")
      let lockPath = project + "/synapse-local.lock"
      var lock = try ProjectLock.load(lockPath, files: RootedFileSystem())
      #expect(lock.files.map(\.path) == ["SmolLM2-135M-Instruct.Q4_1.gguf", "config.json"])
      let gguf = try #require(lock.entry(repository: "acme/tiny-gguf", path: Self.gguf))
      #expect(gguf.sha256 == (try Digest.sha256(ofFile: try TestBed.require(.smolLM2), files: RootedFileSystem())))
      #expect(gguf.size == 98_362_432)
      let listed = try await CLIRunner.run(["models", "list", "--json", "--project", project], environment: ["HF_HUB_CACHE": bed.store])
      #expect(listed.status == 0, "\(listed.stderr)")
      let repositories = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
      let files = repositories.flatMap { ($0["snapshots"] as? [[String: Any]] ?? []).flatMap { $0["files"] as? [[String: Any]] ?? [] } }
      let listedGGUF = try #require(files.first { $0["path"] as? String == Self.gguf })
      #expect(listedGGUF["locked_by"] as? [String] == [lockPath])
      let config = try #require(lock.entry(repository: "acme/tiny-gguf", path: "config.json"))
      #expect(config.etag == (try Digest.gitBlobSHA1(ofFile: bed.ggufFolder + "/config.json", files: RootedFileSystem())))

      // The Hub "changed" the GGUF since it was pinned: refused, naming both digests.
      var moved = gguf
      moved.etag = String(repeating: "0", count: 64)
      lock.record(moved)
      try lock.save(lockPath, files: RootedFileSystem())
      try FileManager.default.removeItem(atPath: bed.store)
      let refused = try await bed.pull(["acme/tiny-gguf", "--project", project])
      #expect(refused.status == 1)
      #expect(refused.stderr.contains("pinned by synapse-local.lock") && refused.stderr.contains("--update"))
      #expect(!FileManager.default.fileExists(atPath: bed.store + "/models--acme--tiny-gguf/blobs/\(gguf.etag)"))

      let updated = try await bed.pull(["acme/tiny-gguf", "--quiet", "--update", "--project", project])
      #expect(updated.status == 0, "\(updated.stderr)")
      #expect(
        try ProjectLock.load(lockPath, files: RootedFileSystem()).entry(repository: "acme/tiny-gguf", path: Self.gguf)?.etag == gguf.etag)
    }
  }

  /// A listing with a name that would escape the snapshot folder is refused before any download.
  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.python, .miniLM, .smolLM2)))
  func hostileFileNameIsRefused() async throws {
    try await withBed(hostile: ["acme/tiny-gguf"]) { bed in
      let result = try await bed.pull(["acme/tiny-gguf"])
      #expect(result.status == 1)
      #expect(
        result.stderr.contains("refused the file name \"../../escape.txt\"") && result.stderr.contains("would become a path"),
        "\(result.stderr)")
      #expect(bed.hub.cdnRequests.isEmpty)
      #expect(!FileManager.default.fileExists(atPath: bed.store + "/escape.txt"))
      #expect(!FileManager.default.fileExists(atPath: bed.store + "/models--acme--tiny-gguf/escape.txt"))
    }
  }

  /// A mirror's commit id and etag become paths in the store (snapshots/<commit>, blobs/<etag>):
  /// one that climbs out of it is refused before a byte is fetched, and the file it aimed at is
  /// left as it was. Both for a single file and for a repository's listing.
  @Test(
    .timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.python, .miniLM, .smolLM2)),
    arguments: [("commit", "../../../victim"), ("etag", "../../../victim/\(PullTests.gguf)")])
  func aHostileCommitOrEtagNeverBecomesAPath(_ field: String, _ value: String) async throws {
    try await withBed(hostileValues: ["acme/tiny-gguf": [field: value]]) { bed in
      let victim = bed.store + "/victim/" + Self.gguf
      try FileManager.default.createDirectory(atPath: bed.store + "/victim", withIntermediateDirectories: true)
      try "precious".write(toFile: victim, atomically: false, encoding: .utf8)
      for reference in ["acme/tiny-gguf/\(Self.gguf)", "acme/tiny-gguf"] {
        let result = try await bed.pull([reference])
        #expect(result.status == 1, "\(reference): \(result.stdout)")
        #expect(
          result.stderr.contains("refused the \(field)") && result.stderr.contains(value) && result.stderr.contains("HF_ENDPOINT"),
          "\(reference): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
      }
      #expect(bed.hub.cdnRequests.isEmpty)
      #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: victim)) == nil)
      #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious")
      #expect(!FileManager.default.fileExists(atPath: bed.store + "/models--acme--tiny-gguf/snapshots"))
    }
  }

  /// `inspect` of a Hub file reads only its header, with Range requests, and estimates its memory.
  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.python, .miniLM, .smolLM2)))
  func remoteInspectFetchesOnlyTheHeader() async throws {
    try await withBed { bed in
      let environment = ["HF_ENDPOINT": bed.hub.endpoint, "HF_HUB_CACHE": bed.store, "HF_TOKEN": ""]
      let result = try await CLIRunner.run(
        ["inspect", "acme/tiny-gguf/\(Self.gguf)", "--json", "--context", "8192"], environment: environment)
      #expect(result.status == 0, "\(result.stderr)")
      let info = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
      #expect(info["block_count"] as? Int == 30)
      #expect(info["file_size_bytes"] as? Int == 98_362_432)
      let transferred = try #require(info["transferred_bytes"] as? Int)
      #expect(transferred < 98_362_432 / 10)
      // The bytes the CDN sent, counted from its log, match what the reader says it fetched.
      let ranges = bed.hub.cdnRequests.compactMap { $0["range"] as? String }
      #expect(!ranges.isEmpty && ranges.count == bed.hub.cdnRequests.count)
      let served = ranges.map { range -> Int in
        let bounds = range.dropFirst("bytes=".count).split(separator: "-").compactMap { Int($0) }
        return bounds.count == 2 ? bounds[1] - bounds[0] + 1 : 0
      }.reduce(0, +)
      #expect(served == transferred)
      // KV cache at 8192 tokens: 2 × 30 layers × 3 KV heads × 64 × 8192 × 2 bytes.
      let estimate = try #require(info["estimate"] as? [String: Any])
      #expect(estimate["kv_cache_bytes"] as? Int == 2 * 30 * 3 * 64 * 8192 * 2)
      #expect(!FileManager.default.fileExists(atPath: bed.store + "/models--acme--tiny-gguf"))
    }
  }

  /// With HF_HUB_OFFLINE=1 nothing touches the network: stored files answer, missing ones say so.
  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.python, .miniLM, .smolLM2)))
  func offline() async throws {
    try await withBed { bed in
      let online = try await bed.pull(["acme/tiny-gguf/\(Self.gguf)", "--quiet"])
      #expect(online.status == 0)
      let requests = bed.hub.cdnRequests.count
      let stored = try await bed.pull(["acme/tiny-gguf/\(Self.gguf)"], offline: true)
      #expect(stored.status == 0 && stored.stdout == online.stdout)
      let missing = try await bed.pull(["sentence-transformers/all-MiniLM-L6-v2"], offline: true)
      #expect(missing.status == 1)
      #expect(missing.stderr.contains("HF_HUB_OFFLINE"))
      #expect(bed.hub.cdnRequests.count == requests)
    }
  }
}
