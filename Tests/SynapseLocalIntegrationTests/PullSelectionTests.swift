import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// `--include` / `--exclude` choose a repository's files as huggingface_hub's allow and ignore
/// patterns do (huggingface_hub itself is the judge), and the lock keeps them for the next pull.
@Suite("pull --include and --exclude", .tags(.integration), .serialized)
struct PullSelectionTests {
  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.python, .miniLM, .smolLM2)))
  func patternsChooseAsHuggingfaceHubDoesAndTheLockKeepsThem() async throws {
    try await PullTests().withBed { bed in
      let folder = bed.store + "-project"
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(atPath: folder) }
      let lock = folder + "/synapse-local.lock"
      let repository = "sentence-transformers/all-MiniLM-L6-v2"
      let include = ["*.json", "1_Pooling/"]
      let exclude = ["data_config.json", "*token*"]
      let patterns = include.flatMap { ["--include", $0] } + exclude.flatMap { ["--exclude", $0] }
      let first = try await bed.pull([repository, "--json", "--lock", lock] + patterns)
      try #require(first.status == 0, "\(first.stderr)")
      let fetched = Set(try JSONDecoder().decode([ModelPuller.Result].self, from: Data(first.stdout.utf8)).flatMap(\.files).map(\.path))
      let judged = try await bed.python(
        """
        import json
        from huggingface_hub import HfApi
        from huggingface_hub.utils import filter_repo_objects
        files = HfApi().list_repo_files("\(repository)")
        kept = list(filter_repo_objects(files, allow_patterns=\(include), ignore_patterns=\(exclude)))
        print(json.dumps({"kept": kept}))
        """, offline: false)
      let expected = Set(try #require(judged["kept"] as? [String]))
      #expect(fetched == expected)
      #expect(fetched.contains("1_Pooling/config.json") && !fetched.contains("model.safetensors") && !fetched.contains("tokenizer.json"))
      let pinned = try ProjectLock.load(lock, files: RootedFileSystem())
      #expect(pinned.patterns(for: repository) == FilePatterns(include: include, exclude: exclude))

      // The next pull, with no patterns, fetches the same set.
      let again = try await bed.pull([repository, "--json", "--lock", lock])
      try #require(again.status == 0, "\(again.stderr)")
      let second = try JSONDecoder().decode([ModelPuller.Result].self, from: Data(again.stdout.utf8)).flatMap(\.files)
      #expect(Set(second.map(\.path)) == expected && second.allSatisfy { !$0.downloaded })
    }
  }
}
