import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

/// The request size and repetitions `bench` and `tune` measure with.
struct BenchOptions: ParsableArguments {
  @Option(
    name: .customLong("prompt-tokens"),
    help: ArgumentHelp("Prompt tokens per request (default \(ReferenceRequest.promptTokens), as the predictions assume).", valueName: "N"))
  var promptTokens = ReferenceRequest.promptTokens

  @Option(
    name: .long,
    help: ArgumentHelp("Tokens generated per request (default \(ReferenceRequest.replyTokens)).", valueName: "N"))
  var tokens = ReferenceRequest.replyTokens

  @Option(name: .long, help: ArgumentHelp("Measured requests after the warm-up; the medians are reported.", valueName: "N"))
  var runs = 3

  @Option(name: .long, help: ArgumentHelp("Warm-up requests, not counted.", valueName: "N"))
  var warmups = 1

  var workload: BenchWorkload {
    BenchWorkload(promptTokens: promptTokens, generatedTokens: tokens, runs: runs, warmups: warmups)
  }
}

/// Runs `body` as a task that SIGINT, SIGTERM and SIGHUP cancel, so an engine started for a
/// measurement is stopped, not orphaned.
func cancellingOnSignals<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
  let task = Task { try await body() }
  let signals = SignalWatcher([SIGINT, SIGTERM, SIGHUP]) { task.cancel() }
  defer { signals.cancel() }
  do {
    return try await task.value
  } catch {
    if task.isCancelled { throw CancellationByUser() }
    throw error
  }
}
