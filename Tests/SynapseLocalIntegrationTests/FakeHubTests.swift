import Foundation
import SynapseLocalTesting
import Testing

/// The fake Hub must follow the real protocol: the real huggingface_hub client downloads from it,
/// is refused a gated repository without a token, and never sends the token to the CDN host.
@Suite("Fake Hub checked against huggingface_hub", .tags(.integration))
struct FakeHubTests {
  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.python, .miniLM, .smolLM2)))
  func realClientWorksAgainstTheFake() async throws {
    let python = try TestBed.require(.python)
    let ggufFolder = NSTemporaryDirectory() + "fake-hub-gguf-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: ggufFolder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: ggufFolder) }
    try FileManager.default.createSymbolicLink(
      atPath: ggufFolder + "/SmolLM2-135M-Instruct.Q4_1.gguf", withDestinationPath: try TestBed.require(.smolLM2))
    try #"{"model_type": "llama"}"#.write(toFile: ggufFolder + "/config.json", atomically: true, encoding: .utf8)

    let hub = try await FakeHub(
      python: python,
      repositories: [
        "acme/tiny-gguf": ggufFolder, "acme/gated": ggufFolder, "sentence-transformers/all-MiniLM-L6-v2": try TestBed.require(.miniLM),
      ],
      gated: ["acme/gated"])
    let cache = NSTemporaryDirectory() + "fake-hub-cache-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: cache) }

    let script = """
      import json, sys
      from huggingface_hub import hf_hub_download, snapshot_download
      from huggingface_hub.errors import GatedRepoError, EntryNotFoundError, RevisionNotFoundError
      out = {}
      out["gguf"] = hf_hub_download("acme/tiny-gguf", "SmolLM2-135M-Instruct.Q4_1.gguf")
      out["config"] = open(hf_hub_download("acme/tiny-gguf", "config.json")).read()
      out["minilm"] = snapshot_download("sentence-transformers/all-MiniLM-L6-v2")
      for name, call in [("gated", lambda: hf_hub_download("acme/gated", "config.json")),
                         ("missing", lambda: hf_hub_download("acme/tiny-gguf", "nope.bin")),
                         ("revision", lambda: hf_hub_download("acme/tiny-gguf", "config.json", revision="v9"))]:
          try:
              call(); out[name] = "no error"
          except Exception as e:
              out[name] = type(e).__name__
      out["gated_with_token"] = hf_hub_download("acme/gated", "SmolLM2-135M-Instruct.Q4_1.gguf", token=sys.argv[1])
      print(json.dumps(out))
      """
    var environment = ProcessInfo.processInfo.environment
    environment["HF_ENDPOINT"] = hub.endpoint
    environment["HF_HUB_CACHE"] = cache
    environment["HF_HUB_DISABLE_TELEMETRY"] = "1"
    environment.removeValue(forKey: "HF_TOKEN")
    let (status, output) = try await runCommand(python, ["-c", script, hub.token], environment: environment)
    let requests = hub.cdnRequests
    await hub.stop()
    #expect(status == 0, "\(output.suffix(2000))")
    let line = try #require(output.split(separator: "\n").last { $0.hasPrefix("{") })
    let result = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
    #expect(result["gguf"]?.hasSuffix("/SmolLM2-135M-Instruct.Q4_1.gguf") == true)
    #expect(result["config"] == #"{"model_type": "llama"}"#)
    #expect(FileManager.default.fileExists(atPath: (result["minilm"] ?? "") + "/model.safetensors"))
    #expect(result["gated"] == "GatedRepoError")
    #expect(result["missing"] == "RemoteEntryNotFoundError")  // huggingface_hub 2.x: a subclass of EntryNotFoundError
    #expect(result["revision"] == "RevisionNotFoundError")
    #expect(result["gated_with_token"]?.hasSuffix(".gguf") == true)
    // LFS bodies came from the CDN, and the token never went there.
    #expect(requests.count >= 3)
    #expect(requests.allSatisfy { ($0["authorization"] as? Bool) == false })
  }
}
