import Foundation
import SynapseLocalSystem

/// `llm.speed`: the running chat engine the watchdog finds degraded (slower than `llm.slow_ratio`
/// of the speed expected here), with the figures and the likely causes this machine shows: a GPU
/// the plan uses that is no longer listed, layers not offloaded, a loaded or throttled CPU, swap.
public struct EngineSpeedCheck: DoctorCheck {
  public let id = "llm.speed"
  public init() {}

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    guard subject.stack != nil, let llm = subject.service(.llm) else {
      return .skipped(id, "the stack is not running (synapse-local up)")
    }
    guard subject.configuration.llm.slowRatio > 0 else { return .skipped(id, "the watchdog is off (llm.slow_ratio: 0)") }
    guard llm.state == .degraded, let slowness = llm.slowness else {
      return .ok(id, "the watchdog does not find llm slow (\(llm.state.rawValue))")
    }
    let causes = Self.causes(subject, engine: llm.pid)
    let figures = ServiceLifecycle.figures(slowness)
    let found =
      causes.isEmpty
      ? "none of the usual causes shows here (a GPU listed, layers offloaded, the CPU not busy, no swap)" : causes.joined(separator: "; ")
    let restart =
      subject.configuration.llm.restartWhenDegraded
      ? "it was restarted once (llm.restart_when_degraded)" : "llm.restart_when_degraded: true restarts it once by itself"
    return .warning(
      id, "llm is degraded: \(figures); likely causes: \(found)",
      fix: "synapse-local restart llm\(subject.projectFlag) (a GPU that fell off often comes back); \(restart)")
  }

  /// What this machine shows of the usual causes, each a phrase; empty when none shows.
  static func causes(_ subject: DoctorSubject, engine pid: Int32?) -> [String] {
    let c = subject.configuration
    let system = subject.context.system
    var causes: [String] = []
    let offloads = c.engine == .vllm || c.llm.gpuLayers > 0
    if offloads && subject.hardware.gpus.isEmpty {
      let plan = c.engine == .vllm ? "the plan runs vLLM on the GPU" : "the plan offloads \(c.llm.gpuLayers) layers"
      causes.append("the GPU is no longer listed (\(plan), but no GPU is detected now)")
    }
    if c.engine == .llamaCpp, c.llm.gpuLayers > 0,
      let text = subject.context.files.readText(subject.logFolder + "/\(ServiceName.llm.rawValue).log"),
      let (offloaded, total) = text.split(separator: "\n").reversed().lazy.compactMap(GPUOffloadCheck.offload).first,
      offloaded < min(c.llm.gpuLayers, total)
    {
      causes.append(
        "-ngl layers not offloaded (the engine's log says \(offloaded)/\(total) layers on the GPU, the plan asks \(c.llm.gpuLayers))")
    }
    let cores = max(1, subject.hardware.cpu.effectiveCores)
    if let load = system.readText("/proc/loadavg")?.split(separator: " ").first.flatMap({ Double($0) }), load > Double(cores) {
      let busy = busiest(system, besides: pid.map { subject.context.processTable.tree($0) } ?? [])
      causes.append(
        "contention: load average \(String(format: "%.1f", load)) on \(cores) cores"
          + (busy.isEmpty ? "" : " (running now: \(busy.joined(separator: ", ")))"))
    }
    if let throttled = clockShare(system), throttled < 0.6 {
      causes.append("throttling: the CPUs run at \(Int(throttled * 100))% of their top clock")
    }
    if let swap = swapUsed(system), swap > 0 {
      let engineSwap = pid.flatMap { vmSwap(system, pid: $0) } ?? 0
      causes.append(
        "swap in use: \(ByteCount.format(swap)) on the machine"
          + (engineSwap > 0 ? ", \(ByteCount.format(engineSwap)) of it the engine's own" : ""))
    }
    return causes
  }

  /// SwapTotal - SwapFree from /proc/meminfo, in bytes.
  static func swapUsed(_ system: any FileSystem) -> UInt64? {
    guard let text = system.readText("/proc/meminfo") else { return nil }
    let total = kilobytes(text, "SwapTotal:")
    let free = kilobytes(text, "SwapFree:")
    guard let total, let free else { return nil }
    return total > free ? (total - free) * 1024 : 0
  }

  /// The engine's VmSwap (/proc/PID/status), in bytes.
  static func vmSwap(_ system: any FileSystem, pid: Int32) -> UInt64? {
    system.readText("/proc/\(pid)/status").flatMap { kilobytes($0, "VmSwap:") }.map { $0 * 1024 }
  }

  static func kilobytes(_ text: String, _ key: String) -> UInt64? {
    text.split(separator: "\n").first { $0.hasPrefix(key) }.flatMap { $0.dropFirst(key.count).split(whereSeparator: \.isWhitespace).first }
      .flatMap { UInt64($0) }
  }

  /// The commands of the processes running on a CPU right now (state R), the engine's tree left
  /// out, most frequent first: "cc1plus ×3, swift-frontend".
  static func busiest(_ system: any FileSystem, besides engine: [Int32]) -> [String] {
    var counts: [String: Int] = [:]
    for entry in system.list("/proc") ?? [] {
      guard let pid = Int32(entry), !engine.contains(pid), let stat = system.readText("/proc/\(entry)/stat"),
        let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")"), open < close
      else { continue }
      let state = stat[stat.index(after: close)...].split(separator: " ").first
      guard state == "R" else { continue }
      counts[String(stat[stat.index(after: open)..<close]), default: 0] += 1
    }
    return counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(4).map { $0.value > 1 ? "\($0.key) ×\($0.value)" : $0.key }
  }

  /// The fastest CPU's current clock as a share of its top clock (cpufreq): idle cores clock down
  /// by design, a throttled machine clocks every core down. nil without cpufreq.
  static func clockShare(_ system: any FileSystem) -> Double? {
    let folder = "/sys/devices/system/cpu"
    var shares: [Double] = []
    for cpu in system.list(folder) ?? [] where cpu.hasPrefix("cpu") && Int(cpu.dropFirst(3)) != nil {
      let base = "\(folder)/\(cpu)/cpufreq/"
      guard let now = system.readText(base + "scaling_cur_freq").flatMap({ Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }),
        let top = system.readText(base + "cpuinfo_max_freq").flatMap({ Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }),
        top > 0
      else { continue }
      shares.append(now / top)
    }
    return shares.max()
  }
}
