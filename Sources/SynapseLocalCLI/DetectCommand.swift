import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct DetectCommand: ContextCommand {
  static let configuration = CommandConfiguration(
    commandName: "detect",
    abstract: "Report this machine's memory, CPU, disk and NVIDIA GPUs as the recommendation sees them.",
    discussion: """
      Memory and CPU figures honour container limits (cgroup v2 memory.max and cpu.max, or v1 \
      memory.limit_in_bytes and cpu.cfs_quota_us): the "effective" figures are the smallest of \
      what the machine has and what the container allows, and are what every decision uses.

      GPUs come from nvidia-smi on PATH. A failing nvidia-smi (no driver loaded) means no GPU and \
      a warning; an old driver that cannot report the compute capability gets it from a table of \
      known GPUs, or "unknown".

      Save the JSON to plan for another machine: `synapse-local detect --json > server.json` there, \
      then `synapse-local recommend --hardware server.json` here.

      --calibrate measures what speed predictions need (docs/recommendation.md): memory \
      bandwidth with 1…N threads over a buffer larger than the last-level cache, then one short run \
      of llama-server with the smallest GGUF in the model store (or --calibration-model). It takes \
      under a minute and is cached in SYNAPSE_LOCAL_HOME with the date, the engine version and the \
      hardware; `detect` shows it, and its JSON carries it under `calibration` to another machine.

      SYNAPSE_LOCAL_SYSROOT reads /proc and /sys under another root folder (for tests and fixtures).

      Examples:
        synapse-local detect
        synapse-local detect --json > server.json
        synapse-local detect --calibrate
      """)

  @Flag(name: .long, help: "Print the report as JSON (the documented contract in docs/detection.md).")
  var json = false

  @Flag(name: .long, help: "Measure memory bandwidth and the engine's speed again, and cache the result.")
  var calibrate = false

  @Option(
    name: .customLong("calibration-model"),
    help: ArgumentHelp("The GGUF (path or REF) to calibrate with (default: the smallest in the store).", valueName: "REF"))
  var calibrationModel: String?

  func validate() throws {
    if calibrationModel != nil && !calibrate { throw ValidationError("--calibration-model goes with --calibrate") }
  }

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    let ctx = ctx.printing(quiet: json)
    try await reportingErrors(ctx.output) {
      var survey = HardwareSurvey(context: ctx)
      let quiet = json
      survey.progress = { step in if !quiet { ctx.output.note("calibrate: \(step)") } }
      let surveyed = survey
      let calibrate = self.calibrate
      let model = calibrationModel
      let outcome = try await cancellingOnSignals {
        try await surveyed.run(calibrate: calibrate, calibrationModel: model, catalog: try ctx.catalog())
      }
      let report = outcome.report
      if let note = outcome.note { ctx.output.warning(note) }
      if json {
        try ctx.output.json(report)
      } else {
        HardwareTable.print(report, to: ctx.output)
        ctx.output.print()
        ctx.output.print(
          "Next: synapse-local recommend (engine, models and flags for this machine)"
            + (report.calibration == nil ? "; `synapse-local detect --calibrate` first makes its speed figures this machine's own" : ""))
      }
    }
  }
}
