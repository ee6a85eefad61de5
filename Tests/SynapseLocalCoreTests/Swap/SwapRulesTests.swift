import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// The pieces of a swap that need no process: renaming the model in a request body byte for byte,
/// the memory rule that picks the mode and the warning against the hold.
@Suite("swap rules")
struct SwapRulesTests {
  func renamed(_ body: String, former: Set<String> = ["old-model"], to active: String = "new-model") -> String? {
    ModelField.rename(Array(body.utf8), former: former, to: active).map { String(decoding: $0, as: UTF8.self) }
  }

  @Test func theModelMemberIsRenamedAndEveryOtherByteKept() {
    #expect(
      renamed(#"{"messages": [{"role": "user", "content": "hi"}],  "model" :"old-model", "temperature": 0.70}"#)
        == #"{"messages": [{"role": "user", "content": "hi"}],  "model" :"new-model", "temperature": 0.70}"#)
    // Escapes in the name, and a name with a slash kept readable.
    #expect(renamed(#"{"model": "old\/model"}"#, former: ["old/model"], to: "org/new") == #"{"model": "org/new"}"#)
    // Only the top-level member: a "model" inside a message or a string is content.
    let nested = #"{"messages": [{"model": "old-model", "content": "\"model\": \"old-model\""}], "model": "other"}"#
    #expect(renamed(nested) == nil)
    #expect(ModelField.locate(Array(nested.utf8))?.name == "other")
    // Nothing to do: the active name, an unknown name, no model, not an object, broken JSON.
    #expect(renamed(#"{"model": "new-model"}"#) == nil)
    #expect(renamed(#"{"model": "someone-else"}"#) == nil)
    #expect(renamed(#"{"input": ["a", "b"]}"#) == nil)
    #expect(renamed(#"["model", "old-model"]"#) == nil)
    #expect(renamed(#"{"input": "a", "model": "old-mo"#) == nil)
    #expect(renamed("") == nil)
    #expect(renamed(#"{"model": "old-model"}"#, former: []) == nil)
    // Numbers, literals and nested objects before it are skipped correctly.
    #expect(
      renamed(#"{"n": -1.5e3, "stop": null, "x": {"a": [1, {"b": "}"}]}, "stream": true, "model": "old-model"}"#)
        == #"{"n": -1.5e3, "stop": null, "x": {"a": [1, {"b": "}"}]}, "stream": true, "model": "new-model"}"#)
  }

  let gib: UInt64 = 1 << 30

  func inputs(needed: UInt64?, available: UInt64, total: UInt64 = 24 << 30, limit: UInt64? = nil, stack: UInt64 = 2 << 30)
    -> SwapModeRule.Inputs
  {
    SwapModeRule.Inputs(
      forceHold: false, engine: .llamaCpp, gpuOffload: false, gpus: [], neededBytes: needed,
      memory: MemoryReport(totalBytes: total, availableBytes: available, limitBytes: limit), stackBytes: stack, model: "gemma")
  }

  @Test func bothModelsRunSideBySideOnlyWhenMemoryHoldsTheNewOneBesideTheStack() {
    #expect(SwapModeRule.decide(inputs(needed: 2 * gib, available: 16 * gib)).0 == .sideBySide)
    // 2.4 GiB free less the 512 MiB margin leaves too little for 2 GiB.
    let (mode, reason) = SwapModeRule.decide(inputs(needed: 2 * gib, available: 2 * gib + 400 << 20))
    #expect(mode == .hold && reason.contains("not enough for two models"), "\(reason)")
    // A container limit: MemAvailable may be large, but the stack's use counts against the limit.
    // (6 GiB less 4 GiB used leaves 2 GiB, less the margin of a tenth of 6 GiB.)
    #expect(SwapModeRule.decide(inputs(needed: 2 * gib, available: 20 * gib, limit: 6 * gib, stack: 4 * gib)).0 == .hold)
    #expect(SwapModeRule.decide(inputs(needed: 1 * gib, available: 20 * gib, limit: 8 * gib, stack: 3 * gib)).0 == .sideBySide)
    // No estimate, --hold, vLLM: hold.
    #expect(SwapModeRule.decide(inputs(needed: nil, available: 16 * gib)).0 == .hold)
    var forced = inputs(needed: 1 * gib, available: 16 * gib)
    forced.forceHold = true
    #expect(SwapModeRule.decide(forced) == (.hold, "--hold asks for it"))
    var vllm = inputs(needed: 1 * gib, available: 16 * gib)
    vllm.engine = .vllm
    #expect(SwapModeRule.decide(vllm).1.contains("never share"))
    // llama-server on a GPU: the GPU's free memory decides.
    var gpu = inputs(needed: 6 * gib, available: 64 * gib)
    gpu.gpuOffload = true
    gpu.gpus = [
      GPUReport(
        index: 0, name: "RTX 4090", memoryTotalBytes: 24 * gib, memoryFreeBytes: 4 * gib, computeCapability: "8.9",
        computeCapabilitySource: nil, driverVersion: "550")
    ]
    #expect(SwapModeRule.decide(gpu).0 == .hold)
    gpu.gpus[0].memoryFreeBytes = 16 * gib
    #expect(SwapModeRule.decide(gpu).0 == .sideBySide)
  }

  @Test func theExpectedLoadIsTheLastMeasuredOneElseAnEstimateFromTheSize() throws {
    let folder = "/state"
    let files = MemoryFileSystem(roots: [folder])
    try files.createDirectory(folder)
    let model = folder + "/model.gguf"
    try files.write(Data(count: 3_000_000), to: model, permissions: 0o644)
    let file = LoadTimes.fileName(state: folder)
    #expect(
      LoadTimes.size(of: model, files: files) == 3_000_000 && LoadTimes.size(of: folder, files: files) == 3_000_000
        && LoadTimes.size(of: folder + "/none", files: files) == 0)
    let estimated = LoadTimes.expected(
      file: file, files: files, modelPath: model, bytes: LoadTimes.size(of: model, files: files), engine: .llamaCpp, role: .llm)
    #expect(!estimated.measured && estimated.seconds > 1 && estimated.seconds < 1.01)
    #expect(
      LoadTimes.expected(
        file: file, files: files, modelPath: folder, bytes: LoadTimes.size(of: folder, files: files), engine: .llamaCpp, role: .embedding
      ).seconds > 8)
    LoadTimes.record(file: file, model: model, seconds: 41.26, files: files)
    #expect(
      LoadTimes.expected(
        file: file, files: files, modelPath: model, bytes: LoadTimes.size(of: model, files: files), engine: .llamaCpp, role: .llm)
        == (41.3, true))
    #expect(files.text(file)?.contains("41.3") == true)
  }

  @Test func aHoldLongerThanItsLimitIsWarnedAbout() throws {
    let warning = try #require(
      SwapPlan.holdWarning(service: .llm, model: "qwen", mode: .hold, expectedSeconds: 41.3, measured: true, holdSeconds: 28))
    #expect(warning.contains("41 s") && warning.contains("28 s") && warning.contains("its last load") && warning.contains("llm.timeout_ms"))
    #expect(
      SwapPlan.holdWarning(service: .embedding, model: "e5", mode: .hold, expectedSeconds: 90, measured: false, holdSeconds: 60)?.contains(
        "embedding.hold_seconds") == true)
    // Side by side nobody waits; a load within the hold is fine.
    #expect(
      SwapPlan.holdWarning(service: .llm, model: "qwen", mode: .sideBySide, expectedSeconds: 41, measured: true, holdSeconds: 28) == nil)
    #expect(SwapPlan.holdWarning(service: .llm, model: "qwen", mode: .hold, expectedSeconds: 20, measured: true, holdSeconds: 28) == nil)
  }
}
