import Foundation
import SynapseLocalSystem

/// `detect --calibrate`: measures this machine's memory bandwidth per thread count, then runs the
/// real engine once with the smallest model at hand, and derives the speed model's two engine
/// figures from that run: the per-token overhead beyond reading the weights, and the prompt
/// throughput in operations per second.
public struct Calibrator: Sendable {
  public var context: Context
  public var catalog: ModelCatalog
  public var progress: @Sendable (String) -> Void = { _ in }

  /// What the engine run reads and writes: short, so calibration takes seconds; the median of three
  /// requests, so one disturbed request does not skew every later prediction.
  static let workload = BenchWorkload(promptTokens: ReferenceRequest.promptTokens, generatedTokens: 48, runs: 3, warmups: 1)

  public init(context: Context, catalog: ModelCatalog) {
    self.context = context
    self.catalog = catalog
  }

  public struct Outcome: Sendable {
    public var calibration: Calibration
    /// Why the engine part was skipped, with what to do; nil when it ran.
    public var engineSkipped: String?
  }

  /// `model`: a GGUF path or REF to calibrate with instead of the smallest in the store.
  public func calibrate(_ hardware: HardwareReport, model: String? = nil) async throws -> Outcome {
    let cores = max(1, hardware.cpu.effectiveCores)
    let counts = BandwidthProbe.threadCounts(cores: cores)
    progress("measuring memory bandwidth with \(counts.map(String.init).joined(separator: ", ")) threads")
    let buffer = BandwidthProbe.bufferBytes(lastLevelCache: BandwidthProbe.lastLevelCache(system: context.system))
    let bandwidth = await Task.detached { BandwidthProbe.measure(threadCounts: counts, bufferBytes: buffer) }.value
    var calibration = Calibration(
      takenAt: SpeedRecords.timestamp(context.time.now), machine: MachineFingerprint(hardware), bandwidth: bandwidth, engineRun: nil)
    let (path, skipped) = try modelPath(model)
    guard let path else { return Outcome(calibration: calibration, engineSkipped: skipped) }
    let resolution = await RuntimeResolver(context: context, platform: try Platform.current()).resolve(
      ProjectConfiguration(), userSet: [], lock: nil)
    let executable = resolution.missing.contains(.llamaCpp) ? installedLlamaServer() : resolution.binaries.llamaServer
    guard let executable else {
      return Outcome(
        calibration: calibration,
        engineSkipped:
          "llama-server was not found (SYNAPSE_LOCAL_LLAMA_SERVER, PATH, or `synapse-local install llama.cpp`): only the bandwidth was measured"
      )
    }
    let info = GGUFModelInfo(file: try GGUFReader.read(path: path, files: context.files), path: path)
    let cost = ModelCost.of(info)
    var llm = ProjectConfiguration.LLM()
    llm.threads = cores
    llm.servedName = "calibration"
    llm.context = 1024
    var bench = EngineBench(context: context, hardware: hardware)
    bench.progress = progress
    let target = EngineBench.Target(
      engine: .llamaCpp, executable: executable, modelPath: path, modelLabel: (path as NSString).lastPathComponent, llm: llm,
      environment: context.environment, logPath: NSTemporaryDirectory() + "synapse-local/calibration-llm.log", cost: nil)
    var report: BenchReport
    // A disagreement is most often a moment of other work: both are measured once more before
    // the calibration is refused (what the refusal would tell the user to do).
    var attempt = 1
    while true {
      do {
        report = try await bench.measure(target, workload: Self.workload)
      } catch is CancellationError {
        throw CancellationError()
      } catch {
        // The bandwidth is measured and kept; the engine's failure is said, not fatal.
        let reason = String(describing: error).split(separator: "\n").first.map(String.init) ?? "it failed"
        return Outcome(
          calibration: calibration,
          engineSkipped: "the engine run with \(target.modelLabel) failed (\(reason)): only the bandwidth was measured")
      }
      let disagreement = Self.disagreement(
        calibration, report: report, cost: cost, threads: cores, model: target.modelLabel,
        overheadSeconds: ArchitectureEstimate.figures(for: hardware).perTokenOverheadSeconds)
      guard let disagreement else { break }
      guard attempt < Self.attempts else { throw disagreement }
      attempt += 1
      progress("the memory probe and the engine run disagree; measuring both again")
      calibration.bandwidth = await Task.detached { BandwidthProbe.measure(threadCounts: counts, bufferBytes: buffer) }.value
    }
    calibration.engineRun = Self.engineRun(
      report, cost: cost, threads: cores, version: await version(executable), calibration: calibration)
    return Outcome(calibration: calibration, engineSkipped: nil)
  }

  /// Measurements (probe and engine run) before a disagreement is refused.
  static let attempts = 2

  /// How far apart the probe's bandwidth and the engine run's may be before neither is trusted.
  static let agreementFactor = 2.0

  /// More than any CPU thread reads from memory: about 120 GB/s for the fastest single cores
  /// (Apple's M-series performance cores); desktop and server cores read 10 to 40 GB/s each.
  static let mostBytesPerSecondPerThread = 200e9

  /// How much of a token's time beyond the weights' read may be overhead, as a multiple of the
  /// architecture's documented figure: a slow or busy CPU's sampling and thread handoffs take
  /// longer (a 2-core CI VM spent 9.6 ms per token beside x86's 5 ms).
  static let overheadAllowance = 2.0

  /// The engine run is the probe's witness, and physics its bound.
  /// - No thread reads memory faster than ``mostBytesPerSecondPerThread``: a probe that did was
  ///   served from a cache or optimized away (a 2-core VM once reported 11 TB/s).
  /// - Generating `g` tokens/s, the engine read the weights (and the KV cache in use) `g` times a
  ///   second, so memory delivered at least that: a probe more than 2× below it read too little,
  ///   or was disturbed.
  /// - What is left of a token's time after the overhead (allowed up to twice the architecture's
  ///   documented figure) is its read time: a probe more than 2× above the bandwidth that implies
  ///   means the run was slowed by other work. A run that fits in the overhead alone is
  ///   overhead-bound and witnesses nothing upward.
  /// Predictions built on a contradicting pair would mislead, so it is refused, not saved.
  public static func checkAgreement(
    _ calibration: Calibration, report: BenchReport, cost: ModelCost, threads: Int, model: String,
    overheadSeconds: Double = 0.005
  ) throws(CalibrationError) {
    func gigabytes(_ value: Double) -> String { String(format: "%.1f GB/s", value / 1e9) }
    let impossible = calibration.bandwidth.filter { $0.bytesPerSecond > mostBytesPerSecondPerThread * Double(max(1, $0.threads)) }
    if let worst = impossible.max(by: { $0.bytesPerSecond / Double($0.threads) < $1.bytesPerSecond / Double($1.threads) }) {
      throw .disagrees(
        "calibration not saved: the memory probe read \(gigabytes(worst.bytesPerSecond)) with \(worst.threads) thread\(worst.threads == 1 ? "" : "s"), more than any CPU reads from memory (\(gigabytes(mostBytesPerSecondPerThread)) per thread): it read a cache instead of memory. Run it again on an idle machine, or with a larger model (--calibration-model)"
      )
    }
    guard let probe = calibration.bytesPerSecond(threads: threads), probe > 0 else { return }
    let generation = report.median.generationTokensPerSecond
    guard generation > 0 else { return }
    let perToken = Double(cost.weightsBytes) + Double(cost.kvBytesPerToken) * Double(report.workload.promptTokens)
    let atLeast = perToken * generation
    let readSeconds = 1 / generation - overheadAllowance * overheadSeconds
    let implied = readSeconds > 0 ? perToken / readSeconds : .infinity
    let witness =
      "llama-server generating \(SpeedEstimate.format(generation)) with \(model) (\(ByteCount.format(UInt64(perToken))) read per token)"
    if atLeast > agreementFactor * probe {
      throw .disagrees(
        "calibration not saved: the memory probe read \(gigabytes(probe)) with \(threads) threads, but \(witness) read at least \(gigabytes(atLeast)); more than \(Int(agreementFactor))× apart: the probe was disturbed by other work, or the model fits in the CPU's cache. Run it again on an idle machine, or with a larger model (--calibration-model)"
      )
    }
    if probe > agreementFactor * implied {
      throw .disagrees(
        "calibration not saved: the memory probe read \(gigabytes(probe)) with \(threads) threads, but \(witness) implies at most about \(gigabytes(implied)) even after a generous per-token overhead; more than \(Int(agreementFactor))× apart: the engine was slowed by other work. Run it again on an idle machine, or with a larger model (--calibration-model)"
      )
    }
  }

  /// ``checkAgreement(_:report:cost:threads:model:overheadSeconds:)``'s refusal, as a value.
  static func disagreement(
    _ calibration: Calibration, report: BenchReport, cost: ModelCost, threads: Int, model: String, overheadSeconds: Double
  ) -> CalibrationError? {
    do {
      try checkAgreement(calibration, report: report, cost: cost, threads: threads, model: model, overheadSeconds: overheadSeconds)
      return nil
    } catch {
      return error
    }
  }

  /// The run's figures turned into the speed model's: generation time beyond the weights' read
  /// time is overhead; prompt rate times the operations per token is the compute rate.
  public static func engineRun(_ report: BenchReport, cost: ModelCost, threads: Int, version: String, calibration: Calibration)
    -> Calibration.EngineRun
  {
    let generation = report.median.generationTokensPerSecond
    let prompt = report.median.promptTokensPerSecond
    let bytes = Double(cost.weightsBytes) + Double(cost.kvBytesPerToken) * Double(report.workload.promptTokens)
    let readSeconds = bytes / (calibration.bytesPerSecond(threads: threads) ?? 1e12)
    let overhead = max(0, 1 / max(generation, 1e-9) - readSeconds)
    let kernels = cost.repackedKernels ? SpeedModel.repackedPromptSpeedup : 1
    return Calibration.EngineRun(
      engine: .llamaCpp, version: version, model: report.model, threads: threads, promptTokens: report.workload.promptTokens,
      promptTokensPerSecond: prompt, generatedTokens: report.workload.generatedTokens, generationTokensPerSecond: generation,
      perTokenOverheadSeconds: overhead, computeOperationsPerSecond: prompt * 2 * Double(cost.computeParameters) / kernels)
  }

  /// The given model, else the smallest GGUF in the model store; nil with the reason when none.
  func modelPath(_ model: String?) throws -> (String?, String?) {
    let environment = context.environment
    if let model {
      let resolver = ModelResolver(
        catalog: catalog, cache: HubCache.live(environment: environment, files: context.files), lock: nil,
        project: context.workingDirectory,
        environment: environment, files: context.files)
      do {
        return (try resolver.resolve(try ModelReference(parsing: model), role: .llm, engine: .llamaCpp).hostPath, nil)
      } catch {
        throw BenchError.badRequest("\(model) is neither a GGUF file here nor a model in the store (synapse-local pull \(model))")
      }
    }
    let cache = HubCache.live(environment: environment, files: context.files)
    var smallest: (path: String, size: UInt64)?
    for repository in (try? cache.repositories()) ?? [] {
      for snapshot in repository.snapshots {
        // A whole chat model: not one shard of a split file, not a vision projector.
        for file in snapshot.files
        where file.path.hasSuffix(".gguf") && !file.path.lowercased().contains("mmproj")
          && file.path.range(of: #"-\d{5}-of-\d{5}\.gguf$"#, options: .regularExpression) == nil
        {
          let size = file.sizeBytes ?? .max
          if size < (smallest?.size ?? .max) {
            // The repository's folder is already the store's own path.
            smallest = (repository.folder + "/" + HubCache.snapshotsFolder + "/" + snapshot.commit + "/" + file.path, size)
          }
        }
      }
    }
    if let smallest { return (smallest.path, nil) }
    return (
      nil,
      "no GGUF model is in the store (\(cache.root)): only the bandwidth was measured; pull one (synapse-local pull llama-3.2-3b-q4) or give one (--calibration-model PATH)"
    )
  }

  func installedLlamaServer() -> String? {
    RuntimeInventory(home: RuntimeHome(environment: context.environment), files: context.files).list(measure: false)
      .filter { $0.manifest.id == .llamaCpp }.map(\.manifest.executable).first
  }

  func version(_ executable: String) async -> String {
    guard let result = try? await context.processes.run(executable, ["--version"], timeout: .seconds(20)) else { return "unknown" }
    let lines = (result.stdout + "\n" + result.stderr).split(separator: "\n")
    let line = lines.first { $0.hasPrefix("version:") } ?? lines.first
    return line.map { $0.replacingOccurrences(of: "version: ", with: "").trimmingCharacters(in: .whitespaces) } ?? "unknown"
  }
}
