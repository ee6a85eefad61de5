import Foundation

/// The real components installed by `scripts/testbed`, found through the environment
/// (`SYNAPSE_LOCAL_TESTBED_*`) or the `testbed.env` file it writes.
///
/// With `SYNAPSE_LOCAL_REQUIRE_TESTBED=1` (README's test command) a missing component fails the test
/// that needs it, naming the component; without it (a developer's bare `swift test`) such tests are
/// skipped, and the skip says why.
public enum TestBed {
  public enum Component: String, CaseIterable, Sendable {
    case llamaServer = "SYNAPSE_LOCAL_TESTBED_LLAMA_SERVER"
    case python = "SYNAPSE_LOCAL_TESTBED_PYTHON"
    case postgresBin = "SYNAPSE_LOCAL_TESTBED_PG_BIN"
    case smolLM2 = "SYNAPSE_LOCAL_TESTBED_SMOLLM2"
    case gemma3 = "SYNAPSE_LOCAL_TESTBED_GEMMA3"
    case miniLM = "SYNAPSE_LOCAL_TESTBED_MINILM"
    case miniLMCopy = "SYNAPSE_LOCAL_TESTBED_MINILM_COPY"
    case miniLMDense = "SYNAPSE_LOCAL_TESTBED_MINILM_DENSE"
    case wheelhouse = "SYNAPSE_LOCAL_TESTBED_WHEELHOUSE"
    case node = "SYNAPSE_LOCAL_TESTBED_NODE"
    case chromium = "SYNAPSE_LOCAL_TESTBED_CHROMIUM"

    public var label: String {
      switch self {
      case .llamaServer: "llama-server"
      case .python: "the Python with sentence-transformers"
      case .postgresBin: "PostgreSQL 16 with pgvector"
      case .smolLM2: "the SmolLM2-135M GGUF"
      case .gemma3: "the Gemma-3-270M GGUF"
      case .miniLM: "the all-MiniLM-L6-v2 folder"
      case .miniLMCopy: "a copy of all-MiniLM-L6-v2 under another name"
      case .miniLMDense: "all-MiniLM-L6-v2 with a Dense projection to 256 dimensions"
      case .wheelhouse: "the runtimes' wheelhouse (embedding and PostgreSQL)"
      case .node: "Node 20+ with npm"
      case .chromium: "Debian's chromium (headless)"
      }
    }
  }

  public static var isRequired: Bool {
    ProcessInfo.processInfo.environment["SYNAPSE_LOCAL_REQUIRE_TESTBED"] == "1"
  }

  static let values: [String: String] = {
    let environment = ProcessInfo.processInfo.environment
    let folder = environment["SYNAPSE_LOCAL_TESTBED"].flatMap { $0.isEmpty ? nil : $0 } ?? "/var/cache/synapse-local-testbed/v1"
    var values: [String: String] = [:]
    if let text = try? String(contentsOfFile: folder + "/testbed.env", encoding: .utf8) {
      for line in text.split(separator: "\n") {
        let parts = line.split(separator: "=", maxSplits: 1)
        if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
      }
    }
    for component in Component.allCases {
      if let value = environment[component.rawValue], !value.isEmpty { values[component.rawValue] = value }
    }
    return values
  }()

  /// The component's path when it is installed.
  public static func path(_ component: Component) -> String? {
    guard let path = values[component.rawValue], FileManager.default.fileExists(atPath: path) else { return nil }
    return path
  }

  /// Whether a test needing these components should run: yes when they are present, and also when
  /// they are required (so that the test then fails, naming what is missing).
  public static func shouldRun(_ components: Component...) -> Bool {
    isRequired || components.allSatisfy { path($0) != nil }
  }

  /// The component's path, or an error naming it and how to install it.
  public static func require(_ component: Component) throws -> String {
    guard let path = path(component) else { throw Missing(component: component) }
    return path
  }

  public struct Missing: Error, CustomStringConvertible {
    public var component: Component
    public var description: String {
      "test bed component missing: \(component.label) (\(component.rawValue)); run scripts/testbed"
    }
  }
}
