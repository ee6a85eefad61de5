import Foundation
import SynapseLocalSystem

/// Measures a chat model with the real engine: warm-up requests, then timed ones, each reading an
/// exact number of prompt tokens and writing an exact number of reply tokens.
public struct EngineBench: Sendable {
  /// An engine to start and measure.
  public struct Target: Sendable {
    public var engine: Engine
    public var executable: String
    public var modelPath: String
    /// The file's name (llama.cpp) or the repository (vLLM): what measurements are kept under.
    public var modelLabel: String
    /// The `llm` settings whose flags are measured.
    public var llm: ProjectConfiguration.LLM
    public var environment: [String: String]
    public var logPath: String
    /// For the prediction printed beside the figures.
    public var cost: ModelCost?
  }

  public var context: Context
  public var hardware: HardwareReport
  /// Hears each step ("loading", "run 2 of 3") for progress lines.
  public var progress: @Sendable (String) -> Void = { _ in }

  public init(context: Context, hardware: HardwareReport) {
    self.context = context
    self.hardware = hardware
  }

  public func measure(_ target: Target, workload: BenchWorkload) async throws -> BenchReport {
    try workload.check()
    var llm = target.llm
    llm.context = max(llm.context, workload.contextNeeded)
    let settings = llm
    var environment = target.environment
    environment["OMP_NUM_THREADS"] = String(llm.threads)
    environment["HF_HUB_OFFLINE"] = "1"
    try? context.files.createDirectory((target.logPath as NSString).deletingLastPathComponent)
    let trial = EngineTrial(
      context: context, executable: target.executable,
      arguments: { port in
        target.engine == .vllm
          ? EngineArguments.vllm(model: ["serve", target.modelPath], host: "127.0.0.1", port: port, llm: settings)
          : EngineArguments.llamaCpp(model: target.modelPath, host: "127.0.0.1", port: port, llm: settings)
      }, environment: environment, logPath: target.logPath, readiness: .seconds(target.engine == .vllm ? 900 : 300))
    progress("loading \(target.modelLabel)")
    let system = context.system
    let progress = progress
    let engine = target.engine
    let (measured, peak) = try await trial.run { base, pid in
      let client = EngineClient(http: EngineClient.transport(context.http), baseURL: base, servedName: settings.servedName)
      let measured = try await Self.requests(client, engine: engine, workload: workload, progress: progress)
      return (measured, Self.peakResident(pid: pid, system: system))
    }
    let flags = target.engine == .vllm ? [] : EngineArguments.llamaCppSpeedFlags(llm)
    return BenchReport(
      engine: target.engine, model: target.modelLabel, servedName: llm.servedName, flags: flags, throughEndpoint: false, contended: false,
      workload: workload, samples: measured.samples, median: BenchReport.medians(measured.samples), received: measured.received,
      peakResidentBytes: peak, prediction: target.cost.map { prediction($0, engine: target.engine, llm: llm) })
  }

  /// A running stack's engine, through its stable endpoint: the figures share the engine with
  /// whatever else is using it, so they are marked contended.
  public func measureEndpoint(
    baseURL: String, servedName: String, engine: Engine, modelLabel: String, llm: ProjectConfiguration.LLM, cost: ModelCost?,
    workload: BenchWorkload
  ) async throws -> BenchReport {
    try workload.check()
    let client = EngineClient(http: EngineClient.transport(context.http), baseURL: baseURL, servedName: servedName)
    let measured = try await Self.requests(client, engine: engine, workload: workload, progress: progress)
    return BenchReport(
      engine: engine, model: modelLabel, servedName: servedName,
      flags: engine == .vllm ? [] : EngineArguments.llamaCppSpeedFlags(llm), throughEndpoint: true, contended: true,
      workload: workload, samples: measured.samples, median: BenchReport.medians(measured.samples), received: measured.received,
      peakResidentBytes: nil, prediction: cost.map { prediction($0, engine: engine, llm: llm) })
  }

  /// The prediction alone (never a measured figure): what the measurement is compared with.
  func prediction(_ cost: ModelCost, engine: Engine, llm: ProjectConfiguration.LLM) -> SpeedEstimate {
    SpeedModel(hardware: hardware).predict(cost, engine: engine, llm: llm)
  }

  /// Warm-ups, then the measured requests, then one streamed request for what a client receives.
  /// llama-server's measured replies are sent whole and timed by the engine itself; an engine
  /// that reports no timings (vLLM) is measured streamed, by the client's clock, and needs no
  /// extra request.
  static func requests(
    _ client: EngineClient, engine: Engine, workload: BenchWorkload, progress: @Sendable (String) -> Void
  ) async throws -> (samples: [BenchSample], received: BenchReport.Received?) {
    let whole = engine == .llamaCpp
    var samples: [BenchSample] = []
    for index in 0..<(workload.warmups + workload.runs) {
      try Task.checkCancellation()
      let warm = index < workload.warmups
      progress(warm ? "warm-up \(index + 1) of \(workload.warmups)" : "run \(index - workload.warmups + 1) of \(workload.runs)")
      // A warm-up only has to touch every weight and build the engine's buffers: a short request
      // does, and leaves more of a budget for measuring.
      let prompt = try await client.promptTokens(
        count: warm ? min(workload.promptTokens, 64) : workload.promptTokens, variant: index * 7 + 1)
      let sample = try await client.complete(
        prompt: prompt, generate: warm ? min(workload.generatedTokens, 8) : workload.generatedTokens, streamed: warm || !whole)
      if !warm { samples.append(sample) }
    }
    guard whole else {
      let rates = samples.compactMap(\.receivedTokensPerSecond)
      return (
        samples,
        rates.isEmpty
          ? nil
          : BenchReport.Received(
            generationTokensPerSecond: BenchReport.median(rates),
            timeToFirstTokenSeconds: BenchReport.median(samples.map(\.timeToFirstTokenSeconds)))
      )
    }
    try Task.checkCancellation()
    progress("one streamed request")
    let prompt = try await client.promptTokens(count: workload.promptTokens, variant: (workload.warmups + workload.runs) * 7 + 1)
    let streamed = try await client.complete(prompt: prompt, generate: workload.generatedTokens, streamed: true)
    return (
      samples,
      BenchReport.Received(
        generationTokensPerSecond: streamed.receivedTokensPerSecond ?? streamed.generationTokensPerSecond,
        timeToFirstTokenSeconds: streamed.timeToFirstTokenSeconds)
    )
  }

  /// VmHWM from /proc: the most memory the engine held at once.
  static func peakResident(pid: Int32, system: any FileSystem) -> UInt64? {
    guard pid > 0, let status = system.readText("/proc/\(pid)/status") else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
      let kilobytes = line.split(separator: " ").compactMap { UInt64($0) }.first
      return kilobytes.map { $0 * 1024 }
    }
    return nil
  }
}
