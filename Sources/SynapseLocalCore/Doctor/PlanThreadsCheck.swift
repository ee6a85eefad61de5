/// `plan.threads`: llama.cpp's threads against the effective cores; more threads than cores
/// slow generation down.
public struct PlanThreadsCheck: DoctorCheck {
  public let id = "plan.threads"
  public init() {}

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    let c = subject.configuration
    guard c.engine == .llamaCpp else { return .skipped(id, "vLLM does not take a thread count") }
    let cores = subject.hardware.cpu.effectiveCores
    let asked = max(c.llm.threads, c.llm.threadsBatch)
    if asked > cores {
      return .warning(
        id,
        "llm.threads\(c.llm.threadsBatch > c.llm.threads ? "_batch" : "") is \(asked), the effective cores \(cores): threads beyond the cores wait on each other",
        fix: "set llm.threads: \(cores) in synapse-local.yaml (or run `synapse-local tune`)")
    }
    return .ok(id, "\(c.llm.threads) thread(s) of \(cores) effective core(s)")
  }
}
