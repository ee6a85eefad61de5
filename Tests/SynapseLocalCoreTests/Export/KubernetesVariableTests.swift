import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// The kubelet replaces `$(NAME)` in a container's command, args and env values with another of
/// its variables. A project's value (a served name, a model path) is text: written with `$$`, so
/// `$(POSTGRES_PASSWORD)` as the llm's name never hands the database password to the backend.
@Suite("kubernetes variable references")
struct KubernetesVariableTests {
  @Test func projectValuesCannotReferenceTheContainersVariables() throws {
    var stack = try StoreFillScriptTests.stack([])
    stack.configuration.backend.enabled = true
    stack.llmArguments = ["--alias", "$(POSTGRES_PASSWORD)", "-m", "/models/a $(HF_TOKEN).gguf"]
    stack.backendEnvironment = [("LOCAL_LLM_MODEL", "$(POSTGRES_PASSWORD)"), ("LOCAL_LLM_ENDPOINT", "http://llm:8080")]
    let manifests = KubernetesManifests(stack: stack)
    let text = manifests.files().flatMap(\.documents).map { $0.yaml() }.joined(separator: "\n---\n")
    #expect(text.contains("LOCAL_LLM_MODEL") && text.contains("$$(POSTGRES_PASSWORD)"), "\(text)")
    #expect(text.contains("$$(HF_TOKEN)"), "\(text)")
    // What is left unescaped is only the database URL's own reference to the Secret's variable.
    let references = text.replacingOccurrences(of: "$$", with: "").matches(of: #/\$\([A-Z_]+\)/#).map { String($0.output) }
    #expect(references == ["$(POSTGRES_PASSWORD)"], "\(text)")
    #expect(text.contains("postgresql://synapse:$(POSTGRES_PASSWORD)@db:5432/synapse"), "\(text)")

    // Across nodes, the leader's shell command keeps LWS's own reference and escapes ours.
    stack.multiNode = KubernetesStack.MultiNode(nodes: 2, gpusPerNode: 1)
    let leader = KubernetesManifests(stack: stack).leaderWorkerSet(stack.multiNode!).map { $0.yaml() }.joined()
    #expect(
      leader.contains("$(LWS_GROUP_SIZE)") && leader.contains("$$(POSTGRES_PASSWORD)") && !leader.contains(" '$(POSTGRES"), "\(leader)")
  }
}
