import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// `llm.speed` on a fixture machine: a degraded llm is reported with its figures and the causes
/// this machine shows (a GPU gone, layers not offloaded, load, throttling, swap), each read from
/// the fixture /proc, /sys and the engine's log; a llm at speed is ok.
@Suite("doctor llm.speed")
struct EngineSpeedCheckTests {
  static let slowness = ServiceStatus.Slowness(
    measuredTokensPerSecond: 3.1, expectedTokensPerSecond: 42, expectedFrom: "bench", slowWindows: 3)

  /// A project at /p whose engine (pid 500) runs a plan with `gpuLayers` on `hardware`; /proc and
  /// /sys hold `system`, the engine's log `log`.
  func subject(
    state: ServiceStatus.State, gpuLayers: Int, hardware: HardwareReport, system: [String: String], log: String = ""
  ) throws -> DoctorSubject {
    var configuration = ProjectConfiguration()
    configuration.llm.model = "smollm2-135m-q4"
    configuration.llm.gpuLayers = gpuLayers
    let files = MemoryFileSystem(roots: ["/p", "/proc", "/sys"], files: system)
    var llm = ServiceStatus(
      name: .llm, state: state, pid: 500, restarts: 0, port: 8080, enginePort: 8180, uptimeSeconds: 60, rssBytes: nil, model: "smollm2",
      lastExit: nil, message: nil)
    if state == .degraded { llm.slowness = Self.slowness }
    let stack = StackStatus(project: "/p", supervisorPID: 1, services: [llm])
    let subject = DoctorSubject(
      project: "/p", configuration: configuration, env: nil, lock: nil, hardware: hardware, stack: stack, catalog: try Fixtures.catalog(),
      context: .testing(system: files, files: files, workingDirectory: "/p"))
    try files.write(log, to: subject.logFolder + "/llm.log")
    return subject
  }

  /// /proc of a busy machine: two compilers and the engine running, load 6.5 on 4 cores, 1.5 GiB
  /// of swap in use, 256 MiB of it the engine's; CPUs clocked down to 1.2 of 3.0 GHz.
  static let troubled: [String: String] = [
    "/proc/loadavg": "6.50 5.10 3.20 7/412 9999\n",
    "/proc/meminfo": "MemTotal:       16000000 kB\nSwapTotal:       2097152 kB\nSwapFree:         524288 kB\n",
    "/proc/500/stat": "500 (llama-server) R 1" + String(repeating: " 0", count: 18) + "\n",
    "/proc/500/status": "Name:\tllama-server\nVmSwap:\t  262144 kB\n",
    "/proc/601/stat": "601 (cc1plus) R 1" + String(repeating: " 0", count: 18) + "\n",
    "/proc/602/stat": "602 (cc1plus) R 1" + String(repeating: " 0", count: 18) + "\n",
    "/proc/603/stat": "603 (bash) S 1" + String(repeating: " 0", count: 18) + "\n",
    "/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq": "1200000\n",
    "/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq": "3000000\n",
  ]

  @Test func aDegradedEngineIsReportedWithTheCausesThisMachineShows() async throws {
    // A GPU plan on a machine where detection finds no GPU, the log offloading none of 31 layers.
    let finding = await EngineSpeedCheck().run(
      try subject(
        state: .degraded, gpuLayers: 99, hardware: Machine.cpu(memoryGiB: 16, cores: 4), system: Self.troubled,
        log: "load_tensors: offloaded 31/31 layers to GPU\nrestarting\nload_tensors: offloaded 0/31 layers to GPU\n"))
    #expect(finding.check == "llm.speed" && finding.status == .warning)
    let message = finding.message
    #expect(message.hasPrefix("llm is degraded: generating 3.1 tok/s, 7% of the 42.0 tok/s expected (bench), 3 slow windows in a row"))
    #expect(message.contains("the GPU is no longer listed (the plan offloads 99 layers, but no GPU is detected now)"), "\(message)")
    #expect(message.contains("-ngl layers not offloaded (the engine's log says 0/31 layers on the GPU, the plan asks 99)"))
    // The engine itself is left out of what else runs.
    #expect(message.contains("contention: load average 6.5 on 4 cores (running now: cc1plus ×2)"))
    #expect(message.contains("throttling: the CPUs run at 40% of their top clock"))
    #expect(message.contains("swap in use: 1.5 GiB on the machine, 256 MiB of it the engine's own"))
    #expect(finding.fix?.hasPrefix("synapse-local restart llm (a GPU that fell off often comes back)") == true)
    #expect(finding.fix?.contains("llm.restart_when_degraded: true") == true)
  }

  @Test func aDegradedEngineOnAQuietMachineSaysNoUsualCauseShows() async throws {
    let quiet = [
      "/proc/loadavg": "0.50 0.40 0.30 1/200 999\n", "/proc/meminfo": "SwapTotal:       2097152 kB\nSwapFree:        2097152 kB\n",
    ]
    let finding = await EngineSpeedCheck().run(
      try subject(state: .degraded, gpuLayers: 0, hardware: Machine.cpu(memoryGiB: 16, cores: 4), system: quiet))
    #expect(finding.status == .warning)
    #expect(
      finding.message.hasSuffix(
        "likely causes: none of the usual causes shows here (a GPU listed, layers offloaded, the CPU not busy, no swap)"))
  }

  @Test func anEngineAtSpeedIsOkAndAStoppedStackIsSkipped() async throws {
    let healthy = try subject(state: .healthy, gpuLayers: 0, hardware: Machine.cpu(memoryGiB: 16), system: Self.troubled)
    let finding = await EngineSpeedCheck().run(healthy)
    #expect(finding.status == .ok && finding.message.contains("does not find llm slow"))
    var down = healthy
    down.stack = nil
    #expect(await EngineSpeedCheck().run(down).status == .skipped)
    #expect(Doctor.checks.contains { $0.id == "llm.speed" })
  }
}
