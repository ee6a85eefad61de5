import SynapseLocalCore
import SynapseLocalSystem
import Testing

@Suite("Model REF syntax")
struct ModelReferenceTests {
  @Test(arguments: [
    ("llama-3.2-3b-q4", ModelReference.catalog(id: "llama-3.2-3b-q4", revision: nil)),
    ("llama-3.2-3b-q4@v2", .catalog(id: "llama-3.2-3b-q4", revision: "v2")),
    ("BAAI/bge-small-en-v1.5", .hub(repository: "BAAI/bge-small-en-v1.5", path: nil, revision: nil)),
    (
      "bartowski/Llama-3.2-3B-Instruct-GGUF/Llama-3.2-3B-Instruct-Q4_K_M.gguf@main",
      .hub(repository: "bartowski/Llama-3.2-3B-Instruct-GGUF", path: "Llama-3.2-3B-Instruct-Q4_K_M.gguf", revision: "main")
    ),
    ("org/repo/sub/dir/file.gguf", .hub(repository: "org/repo", path: "sub/dir/file.gguf", revision: nil)),
    ("models/x", .hub(repository: "models/x", path: nil, revision: nil)),
    ("./models/x", .local(path: "./models/x")),
    ("../x.gguf", .local(path: "../x.gguf")),
    ("/abs/x.gguf", .local(path: "/abs/x.gguf")),
    ("~/models/x.gguf", .local(path: "~/models/x.gguf")),
  ])
  func parses(text: String, expected: ModelReference) throws {
    #expect(try ModelReference(parsing: text) == expected)
    #expect(expected.description == text)
  }

  @Test(arguments: [
    "", "org//repo", "org/repo@", "a/./b", "org/repo/../x",
    // The revision becomes refs/<revision> in the store.
    "org/repo@refs/../../../x", "org/repo@refs/pr//1", "org/repo@refs/pr/1\n",
  ])
  func rejects(text: String) {
    #expect(throws: ModelReferenceError.self) { try ModelReference(parsing: text) }
  }

  @Test func derivedNames() throws {
    #expect(try ModelReference(parsing: "org/repo/dir/Model-Q4_K_M.gguf").derivedName == "Model-Q4_K_M")
    #expect(try ModelReference(parsing: "BAAI/bge-small-en-v1.5").derivedName == "bge-small-en-v1.5")
    #expect(try ModelReference(parsing: "./models/all-MiniLM-L6-v2").derivedName == "all-MiniLM-L6-v2")
    #expect(try ModelReference(parsing: "~/m/SmolLM2-135M-Instruct.Q4_1.gguf").derivedName == "SmolLM2-135M-Instruct.Q4_1")
  }

  @Test func aPathTypedOnTheCommandLineIsTakenFromWhereItWasTyped() throws {
    func typed(_ text: String) throws -> String { try ModelReference(parsing: text).typed(workingDirectory: "/home/me").description }
    #expect(try typed("./models/../models/minilm") == "/home/me/models/minilm")
    #expect(try typed("../shared/minilm") == "/home/shared/minilm")
    #expect(try typed("/srv/minilm") == "/srv/minilm")
    #expect(try typed("~/minilm") == "~/minilm")
    #expect(try typed("gemma-3-270m-q4") == "gemma-3-270m-q4")
    #expect(try typed("org/repo/file.gguf@main") == "org/repo/file.gguf@main")
  }
}
