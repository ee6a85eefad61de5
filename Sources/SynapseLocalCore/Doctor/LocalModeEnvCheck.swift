import Foundation
import SynapseLocalSystem

/// `env.local-mode`: the `.env` the backend reads sets the guide's local mode: USE_LOCAL_MODELS,
/// a placeholder OPENAI_API_KEY (no real key leaves the machine), the planned model and vector size.
public struct LocalModeEnvCheck: DoctorCheck {
  public let id = "env.local-mode"
  public init() {}

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    guard let raw = subject.env else {
      return .failure(
        id, "\(subject.envPath) is missing: the backend has no local-mode settings", fix: "synapse-local generate\(subject.projectFlag)")
    }
    // dotenv readers drop one pair of surrounding quotes.
    let env = raw.mapValues { value in
      value.count >= 2 && ((value.hasPrefix("\"") && value.hasSuffix("\"")) || (value.hasPrefix("'") && value.hasSuffix("'")))
        ? String(value.dropFirst().dropLast()) : value
    }
    let fix = "synapse-local generate\(subject.projectFlag) (a hand-edited .env is kept: --diff shows the change)"
    if env["USE_LOCAL_MODELS"]?.lowercased() != "true" {
      return .failure(id, "USE_LOCAL_MODELS is \(env["USE_LOCAL_MODELS"] ?? "not set"), so the backend calls the cloud", fix: fix)
    }
    if env["USE_AZURE_OPENAI"]?.lowercased() == "true" {
      return .failure(id, "USE_AZURE_OPENAI is true, which sends requests to Azure", fix: "set USE_AZURE_OPENAI=false in .env")
    }
    guard let key = env["OPENAI_API_KEY"], !key.isEmpty else {
      return .warning(
        id, "OPENAI_API_KEY is empty or missing: the guide's OpenAI client needs a placeholder value even in local mode",
        fix: "set OPENAI_API_KEY=not-required-for-local-mode")
    }
    if key.hasPrefix("sk-") {
      return .warning(
        id, "OPENAI_API_KEY holds a real key; local mode needs none, and a key in .env can leak",
        fix: "set OPENAI_API_KEY=not-required-for-local-mode")
    }
    let c = subject.configuration
    if env["LOCAL_LLM_MODEL"] != c.llm.servedName {
      return .failure(id, "LOCAL_LLM_MODEL is \(env["LOCAL_LLM_MODEL"] ?? "not set"), the engine serves \(c.llm.servedName)", fix: fix)
    }
    return .ok(id, "USE_LOCAL_MODELS=true, LOCAL_LLM_MODEL=\(c.llm.servedName), no OpenAI key")
  }
}
