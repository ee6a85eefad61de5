import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// A chat model's GGUF without `tokenizer.chat_template` is served with llama-server's ChatML
/// fallback, and the demo Gemma then echoed `What is the capital of France?<|im_end|>…`. It is
/// warned about unless the plan names a built-in template, which the catalog records and init,
/// swap and the engine's command line carry.
@Suite("chat template")
struct ChatTemplateTests {
  func file(_ extra: [(String, GGUFBuilder.Value)] = [], architecture: String = "llama") throws -> GGUFFile {
    var builder = GGUFBuilder.tinyLlama()
    builder.metadata[0] = ("general.architecture", .string(architecture))
    builder.metadata += extra
    return try GGUFReader.read(MemoryByteSource(builder.bytes()))
  }

  @Test func aChatModelWithoutATemplateIsWarnedAboutWithTheCatalogsFix() throws {
    let warning = try #require(
      ChatTemplate.warning(file: try file(), model: "gemma-3-270m-q4", configured: "", suggestion: "gemma"))
    #expect(warning.contains("no chat template") && warning.contains("llm.chat_template: gemma") && !warning.contains("\n"))
    #expect(ChatTemplate.warning(file: try file(), model: "m", configured: "", suggestion: nil)?.contains("llm.chat_template") == true)
  }

  @Test func aTemplateInTheFileOrThePlanOrAnEncoderNeedsNone() throws {
    #expect(
      ChatTemplate.warning(file: try file([("tokenizer.chat_template", .string("{{ x }}"))]), model: "m", configured: "", suggestion: nil)
        == nil)
    #expect(ChatTemplate.warning(file: try file(), model: "m", configured: "gemma", suggestion: nil) == nil)
    #expect(ChatTemplate.warning(file: try file(architecture: "bert"), model: "m", configured: "", suggestion: nil) == nil)
  }

  /// It reaches llama-server as `--chat-template NAME`, and only a built-in name is accepted.
  @Test func theTemplateIsAnEngineArgumentAndOnlyANameIsAccepted() {
    var llm = ProjectConfiguration.LLM()
    #expect(!EngineArguments.llamaCpp(model: "/m.gguf", host: "127.0.0.1", port: 1, llm: llm).contains("--chat-template"))
    llm.chatTemplate = "gemma"
    let arguments = EngineArguments.llamaCpp(model: "/m.gguf", host: "127.0.0.1", port: 1, llm: llm)
    #expect(arguments.suffix(2) == ["--chat-template", "gemma"])
    for bad in ["--jinja", "../t.jinja", "Gemma", "a b", ""] { #expect(!ChatTemplate.isName(bad), "\(bad)") }
    var configuration = ProjectConfiguration()
    #expect(ProjectSchema.apply("--jinja", to: "llm.chat_template", in: &configuration) != nil)
    #expect(ProjectSchema.apply("chatml", to: "llm.chat_template", in: &configuration) == nil && configuration.llm.chatTemplate == "chatml")
  }

  /// The demo Gemma's catalog entry names its template, and a plan with that model carries it.
  @Test func planningTheDemoGemmaSetsItsTemplate() throws {
    let catalog = try Fixtures.catalog()
    #expect(try catalog.model(id: "gemma-3-270m-q4").chatTemplate == "gemma")
    var start = ProjectConfiguration()
    start.llm.model = .catalog("gemma-3-270m-q4")
    let planner = ProjectPlanner(catalog: catalog, hardware: Machine.cpu(memoryGiB: 16, cores: 2))
    let plan = try planner.plan(start, fixed: ["llm.model"])
    #expect(plan.configuration.llm.chatTemplate == "gemma")
  }
}
