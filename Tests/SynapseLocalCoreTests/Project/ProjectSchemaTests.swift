import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing
import Yams

/// `synapse-local.yaml` read key by key: every problem with file, line and key.
@Suite("project file")
struct ProjectSchemaTests {
  func problems(_ text: String) -> [String] {
    do {
      _ = try ProjectSchema.parse(text, file: "synapse-local.yaml")
      return []
    } catch {
      if case .invalid(let found) = error { return found.map(\.description) }
      return ["\(error)"]
    }
  }

  @Test func malformedFilesAreReportedWithFileLineAndKey() {
    #expect(problems("engine: llama.cpp\nllm:\n  port: 99999\n") == ["synapse-local.yaml:3: llm.port: 99999 is not a port (1-65535)"])
    #expect(
      problems("llm:\n  prot: 8080\n") == [
        "synapse-local.yaml:2: llm.prot: unknown key; did you mean llm.port? known here: llm.batch_size, llm.chat_template, llm.context, llm.flash_attention, llm.gpu_layers, llm.gpu_memory_utilization, llm.idle_unload_seconds, llm.mlock, llm.model, llm.pipeline_parallel_size, llm.port, llm.preload, llm.restart, llm.restart_when_degraded, llm.served_name, llm.slow_ratio, llm.tensor_parallel_size, llm.threads, llm.threads_batch, llm.timeout_ms, llm.ubatch_size"
      ])
    #expect(problems("engine: ollama\n") == ["synapse-local.yaml:1: engine: expected one of llama.cpp, vllm, got 'ollama'"])
    #expect(problems("expose: maybe\n") == ["synapse-local.yaml:1: expose: expected true or false, got 'maybe'"])
    #expect(problems("llm:\n  context: [1, 2]\n") == ["synapse-local.yaml:2: llm.context: expected a whole number, got 'a collection'"])
    #expect(problems("llm:\n  model: acme/../x\n") == ["synapse-local.yaml:2: llm.model: \(ModelReferenceError.malformed("acme/../x"))"])
    #expect(
      problems("backend:\n  health: localhost:3000\n") == [
        "synapse-local.yaml:2: backend.health: expected an http:// or https:// URL, got 'localhost:3000'"
      ])
    #expect(
      problems("db:\n  user: \"robert'); drop\"\n").first?.hasPrefix("synapse-local.yaml:2: db.user: expected a PostgreSQL name") == true)
    #expect(
      problems("embedding:\n  port: 8080\n") == [
        "synapse-local.yaml:2: embedding.port: port 8080 is already llm.port; give each service its own port"
      ])
    #expect(problems("- a\n- b\n") == ["synapse-local.yaml:1: (top level): expected a mapping of keys such as engine, llm, embedding"])
    #expect(problems("llm: [\n").first?.hasPrefix("synapse-local.yaml:") == true)
    // Every problem at once, not only the first.
    #expect(problems("engine: x\nllm:\n  port: 0\nsurprise: 1\n").count == 3)
  }

  /// A free string with a line break would become a line of its own in `.env` (and in units and
  /// scripts): refused where it is read, one line naming file, line and key.
  @Test func controlCharactersInValuesAreRefusedWithFileLineAndKey() {
    let injected = "version: 1\nprofile: \"x\\nNODE_OPTIONS=--require=/tmp/a.js\\n#\"\n"
    #expect(
      problems(injected) == [
        "synapse-local.yaml:2: profile: has the control character U+000A (a line break); write the value on one line, without control characters"
      ])
    #expect(
      problems("paths:\n  state: \"/s\\rX=1\"\n").first?.hasPrefix("synapse-local.yaml:2: paths.state: has the control character U+000D")
        == true)
    #expect(
      problems("llm:\n  served_name: \"a\\x1b[2Jb\"\n").first?.hasPrefix(
        "synapse-local.yaml:2: llm.served_name: has the control character U+001B") == true)
    // An app's command may be a YAML block of several lines; nothing else may.
    #expect(problems("backend:\n  start: |\n    npm run a\n    npm run b\n").isEmpty)
    #expect(problems("backend:\n  start: \"a\\0b\"\n").count == 1)
    // An unknown key with a line break in it is named on one line too.
    let key = problems("\"a\\nNODE_OPTIONS=x\": 1\n")
    #expect(
      key.count == 1 && key.first?.contains(#""a\nNODE_OPTIONS=x": unknown key"#) == true && key.first?.contains("\n") == false, "\(key)")
    var configuration = ProjectConfiguration()
    #expect(ProjectSchema.apply("a\nB=1", to: "llm.served_name", in: &configuration)?.contains("U+000A") == true)
    #expect(configuration.llm.servedName == ProjectConfiguration().llm.servedName)
  }

  /// A version this build cannot read says which it can; an empty file is no project yet, and
  /// says how to make one, not that a model is missing.
  @Test func anotherVersionAndAnEmptyFileSayWhatToDo() throws {
    #expect(
      problems("version: 2\n") == [
        "synapse-local.yaml:1: version: version 2 is not supported: this synapse-local (\(ToolVersion.current)) reads version 1"
      ])
    #expect(problems("version: 1\n").isEmpty)
    for text in ["", "\n", "# only a comment\n"] {
      let files = MemoryFileSystem(roots: ["/p"], files: ["/p/synapse-local.yaml": text])
      #expect(throws: ProjectError.empty(path: "/p/synapse-local.yaml", project: "/p")) {
        try ProjectFile.load(project: "/p", environment: [:], files: files)
      }
    }
    #expect(
      ProjectError.empty(path: "/p/synapse-local.yaml", project: "/p").description
        == "/p/synapse-local.yaml is empty: `synapse-local init --force --project /p` plans a project for this machine and writes it")
    let files = MemoryFileSystem(roots: ["/p"], files: ["/p/synapse-local.yaml": "engine: llama.cpp\n"])
    #expect(try ProjectFile.load(project: "/p", environment: [:], files: files).engine == .llamaCpp)
  }

  @Test func aRenderedFileReadsBackAsItsConfiguration() throws {
    var configuration = ProjectConfiguration()
    configuration.profile = "demo"
    configuration.llm.model = "acme/model-GGUF/model.Q4_K_M.gguf@v1"
    configuration.backend.start = "pnpm run dev -- --host: '0.0.0.0' # not a comment"
    configuration.backend.migrate = ""
    configuration.frontend.mode = .production
    configuration.frontend.node = ">=20.11 <23 || lts/jod"
    configuration.frontend.install = ""
    configuration.binaries.node = "/opt/node 20/bin/node"
    configuration.paths.synapse = "../synapse checkout"
    configuration.binaries.python = "/opt/py thon/bin/python3"
    configuration.expose = true
    let renderer = TemplateRenderer(folder: Fixtures.share + "/templates", files: try Fixtures.shareFiles())
    let text = try ProjectFile.render(configuration, renderer: renderer)
    #expect(try ProjectSchema.parse(text, file: "x") == configuration)
    #expect(
      try ProjectSchema.parse(try ProjectFile.render(ProjectConfiguration(), renderer: renderer), file: "x") == ProjectConfiguration())
  }

  @Test func yamlScalarsReadBackUnchanged() throws {
    for value in [
      "plain", "true", "no", "8080", "1.5", "a: b", "# x", "-dash", "quote\"d", "back\\slash", "tab\there", "line\nbreak", "ünïcode", "",
      "~", ".hidden", "@scoped", "`tick", "1_000", "0x1F", "1e3", "*alias", "&anchor", "!tag", "%x", "{a}", "[b]", "a, b", "|", ">",
    ] {
      let node = try #require(try Yams.compose(yaml: "key: \(YAMLScalar.string(value))"))
      #expect(node["key"]?.string == value, "\(value)")
    }
    #expect(YAMLScalar.string("llama-3.2-3b-q4") == "llama-3.2-3b-q4")
  }

  @Test func flagsAreCheckedLikeKeys() {
    var configuration = ProjectConfiguration()
    #expect(ProjectSchema.apply("99999", to: "llm.port", in: &configuration) == "99999 is not a port (1-65535)")
    #expect(ProjectSchema.apply("9090", to: "llm.port", in: &configuration) == nil)
    #expect(configuration.llm.port == 9090)
    #expect(ProjectSchema.apply("vllm", to: "engine", in: &configuration) == nil && configuration.engine == .vllm)
  }

  @Test func timeoutCoversTheSlowestAnswerAtThePredictedSpeed() {
    // 4096 prompt tokens at 100/s (41 s) + 1024 reply tokens at 10/s (102.4 s), twice: 287 s.
    let slow = SpeedEstimate(generationTokensPerSecond: 10, promptTokensPerSecond: 100, source: .calibrated)
    #expect(LLMTimeout.milliseconds(speed: slow, context: 4096) == 287_000)
    let fast = SpeedEstimate(generationTokensPerSecond: 200, promptTokensPerSecond: 5000, source: .estimated)
    #expect(LLMTimeout.milliseconds(speed: fast, context: 2048) == LLMTimeout.floorMs)
    let crawling = SpeedEstimate(generationTokensPerSecond: 0.5, promptTokensPerSecond: 5, source: .measured)
    #expect(LLMTimeout.milliseconds(speed: crawling, context: 32768) == LLMTimeout.ceilingMs)
  }

  @Test func binariesComeFromTheEnvironmentFirst() {
    let locator = BinaryLocator(
      environment: ["SYNAPSE_LOCAL_PYTHON": "/opt/py/bin/python3", "PATH": "/a:/b"], files: MemoryFileSystem(roots: [])
    ) { $0 == "/b/llama-server" }
    let binaries = locator.applyingOverrides(to: ProjectConfiguration().binaries)
    #expect(binaries.python == "/opt/py/bin/python3")
    #expect(locator.resolve("llama-server") == "/b/llama-server")
    #expect(locator.resolve("python3") == nil)
  }

  @Test func envValuesAreLiteralForEveryReader() throws {
    #expect(try EnvValue.string("http://127.0.0.1:8080") == "http://127.0.0.1:8080")
    #expect(try EnvValue.string("a b $HOME \"x\"") == "'a b $HOME \"x\"'")
    #expect(throws: GenerateError.self) { try EnvValue.string("it's") }
    #expect(throws: GenerateError.self) { try EnvValue.string("two\nlines") }
    for breaking in ["a\rb", "a\u{85}b", "a\u{2028}b", "a\u{0}b"] {
      #expect(throws: GenerateError.self) { try EnvValue.string(breaking) }
      #expect(throws: GenerateError.self) { try EnvValue.comment(breaking) }
    }
    #expect(try EnvValue.comment("profile it's $HOME") == "profile it's $HOME")
    #expect(PythonString.literal("/a/b \"c\"\n") == #""/a/b \"c\"\n""#)
  }

  @Test func unifiedDiffShowsOnlyTheChange() {
    let old = (1...20).map { "line \($0)" }.joined(separator: "\n") + "\n"
    let new = old.replacingOccurrences(of: "line 10\n", with: "line ten\n")
    let diff = LineDiff.unified(old: old, new: new, oldName: "a/f", newName: "b/f")
    #expect(diff == "--- a/f\n+++ b/f\n@@ -7,7 +7,7 @@\n line 7\n line 8\n line 9\n-line 10\n+line ten\n line 11\n line 12\n line 13\n")
    #expect(LineDiff.unified(old: old, new: old, oldName: "a", newName: "b").isEmpty)
  }
}
