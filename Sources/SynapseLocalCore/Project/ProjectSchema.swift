import Foundation
import SynapseLocalSystem
import Yams

/// Reads `synapse-local.yaml` (and profiles, which are partial project files) key by key, so
/// every unknown key, wrong type and impossible value is reported with its file, line and key.
public enum ProjectSchema {
  /// One key: its dotted name and how it is read into the configuration.
  struct Field: Sendable {
    let key: String
    let read: @Sendable (inout ProjectConfiguration, Node) -> String?
  }

  /// Reads `text` over `base` (defaults, or a profile under the project file). All problems are
  /// collected before throwing.
  public static func parse(_ text: String, file: String, over base: ProjectConfiguration = ProjectConfiguration()) throws(ProjectError)
    -> ProjectConfiguration
  {
    var lines: [String: Int] = [:]
    return try parse(text, file: file, over: base, lines: &lines)
  }

  /// Sets one key from a command-line value (e.g. `llm.port` from `--llm-port`); returns what is
  /// wrong with the value, or nil.
  public static func apply(_ value: String, to key: String, in configuration: inout ProjectConfiguration) -> String? {
    let key = aliases[key] ?? key
    guard let field = fieldsByKey[key] else { return "unknown key" }
    return controlCharacter(in: Node(value), key: key) ?? field.read(&configuration, Node(value))
  }

  /// As `parse`, also collecting the keys the text sets, with their lines.
  public static func parse(_ text: String, file: String, over base: ProjectConfiguration, lines: inout [String: Int]) throws(ProjectError)
    -> ProjectConfiguration
  {
    let root: Node?
    do {
      root = try Yams.compose(yaml: text)
    } catch let error as YamlError {
      throw .invalid([ProjectProblem(file: file, line: yamlLine(error), key: "(syntax)", message: yamlReason(error))])
    } catch {
      throw .invalid([ProjectProblem(file: file, line: 1, key: "(syntax)", message: "\(error)")])
    }
    var configuration = base
    guard let root else { return configuration }
    guard case .mapping = root else {
      throw .invalid([
        ProjectProblem(
          file: file, line: root.mark?.line ?? 1, key: "(top level)", message: "expected a mapping of keys such as engine, llm, embedding")
      ])
    }
    var problems: [ProjectProblem] = []
    walk(root, prefix: "", file: file, into: &configuration, problems: &problems, lines: &lines)
    if problems.isEmpty { problems += portClashes(configuration, file: file, lines: lines) }
    guard problems.isEmpty else { throw .invalid(problems) }
    return configuration
  }

  static func walk(
    _ node: Node, prefix: String, file: String, into configuration: inout ProjectConfiguration, problems: inout [ProjectProblem],
    lines: inout [String: Int]
  ) {
    guard case .mapping(let mapping) = node else { return }
    for (keyNode, value) in mapping {
      let line = keyNode.mark?.line ?? 0
      guard let name = keyNode.string else {
        problems.append(ProjectProblem(file: file, line: line, key: prefix.isEmpty ? "(key)" : prefix, message: "keys must be strings"))
        continue
      }
      let written = prefix.isEmpty ? name : prefix + "." + name
      let key = aliases[written] ?? written
      if let field = fieldsByKey[key] {
        if let message = controlCharacter(in: value, key: key) ?? field.read(&configuration, value) {
          problems.append(ProjectProblem(file: file, line: value.mark?.line ?? line, key: key, message: message))
        }
        lines[key] = value.mark?.line ?? line
      } else if sections.contains(key) {
        guard case .mapping = value else {
          if case .scalar(let scalar) = value, scalar.string.isEmpty || value.null != nil { continue }
          problems.append(ProjectProblem(file: file, line: line, key: key, message: "expected a mapping of keys"))
          continue
        }
        walk(value, prefix: key, file: file, into: &configuration, problems: &problems, lines: &lines)
      } else {
        let known = (sections + fields.map(\.key)).filter {
          $0.hasPrefix(prefix.isEmpty ? "" : prefix + ".") && !$0.dropFirst(prefix.isEmpty ? 0 : prefix.count + 1).contains(".")
        }
        let guess = nearest(to: key, among: known).map { "did you mean \($0)? " } ?? ""
        problems.append(
          ProjectProblem(
            file: file, line: line, key: key, message: "unknown key; \(guess)known here: \(known.sorted().joined(separator: ", "))"))
      }
    }
  }

  /// The known key a typo most likely meant: within two edits of the last part (a third of it, for
  /// short names), else nil rather than a wild guess.
  static func nearest(to key: String, among known: [String]) -> String? {
    let typed = Array(key.split(separator: ".").last.map(String.init) ?? key)
    let scored = known.map { candidate -> (String, Int) in
      (candidate, editDistance(typed, Array(candidate.split(separator: ".").last.map(String.init) ?? candidate)))
    }
    guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= min(2, max(1, typed.count / 3)) else { return nil }
    return best.0
  }

  /// Levenshtein distance, with a swap of neighbours counting one (`prot` → `port`).
  static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
    var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { table[i][0] = i }
    for j in 0...b.count { table[0][j] = j }
    for i in 1...a.count {
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1) }
      }
    }
    return table[a.count][b.count]
  }

  /// The commands the apps run may span lines (a YAML block); no other value may.
  static let multilineKeys: Set<String> = Set(
    ["backend", "frontend"].flatMap { app in ["install", "build", "start", "command", "migrate"].map { app + "." + $0 } })

  /// Why a value is refused for a control character, or nil. Values reach `.env`, unit files and
  /// scripts, where a line break starts a line of the writer's choosing (`profile: "x\nNODE_OPTIONS=..."`).
  static func controlCharacter(in node: Node, key: String) -> String? {
    guard let text = scalarText(node) else { return nil }
    let allowed: Set<Unicode.Scalar> = multilineKeys.contains(key) ? ["\n", "\t"] : []
    guard let bad = ControlCharacters.first(in: text, allowing: allowed) else { return nil }
    return "has the control character \(ControlCharacters.name(bad)); write the value on one line, without control characters"
  }

  /// Two services on one port cannot both start.
  public static func portClashes(_ c: ProjectConfiguration, file: String, lines: [String: Int]) -> [ProjectProblem] {
    var ports: [(String, Int)] = [
      ("llm.port", c.llm.port), ("embedding.port", c.embedding.port), ("db.port", c.db.port), ("status.port", c.status.port),
    ]
    if c.backend.enabled { ports.append(("backend.port", c.backend.port)) }
    if c.frontend.enabled { ports.append(("frontend.port", c.frontend.port)) }
    var seen: [Int: String] = [:]
    var problems: [ProjectProblem] = []
    for (key, port) in ports {
      if let other = seen[port] {
        problems.append(
          ProjectProblem(
            file: file, line: lines[key] ?? lines[other] ?? 0, key: key,
            message: "port \(port) is already \(other); give each service its own port"))
      } else {
        seen[port] = key
      }
    }
    return problems
  }

  /// Older spellings, read as the key they became.
  static let aliases = ["llm.name": "llm.served_name", "embedding.name": "embedding.served_name"]

  static let sections = ["llm", "embedding", "db", "backend", "frontend", "status", "endpoint", "paths", "binaries"]

  static let fields: [Field] =
    [
      version,
      string("profile", \.profile, allowEmpty: true),
      enumeration("engine", \.engine),
      enumeration("prefer", \.prefer),
      string("hardware", \.hardware, allowEmpty: true),
      bool("expose", \.expose),
      bool("expose_models", \.exposeModels),
      reference("llm.model", \.llm.model),
      string("llm.served_name", \.llm.servedName),
      port("llm.port", \.llm.port),
      int("llm.context", \.llm.context, 256...1_048_576),
      int("llm.threads", \.llm.threads, 1...1024),
      int("llm.threads_batch", \.llm.threadsBatch, 0...1024),
      int("llm.batch_size", \.llm.batchSize, 1...1_048_576),
      int("llm.ubatch_size", \.llm.ubatchSize, 1...1_048_576),
      enumeration("llm.flash_attention", \.llm.flashAttention),
      templateName("llm.chat_template", \.llm.chatTemplate),
      bool("llm.mlock", \.llm.mlock),
      int("llm.gpu_layers", \.llm.gpuLayers, -1...100_000),
      int("llm.timeout_ms", \.llm.timeoutMs, 1000...86_400_000),
      double("llm.gpu_memory_utilization", \.llm.gpuMemoryUtilization, 0.05...0.99),
      int("llm.tensor_parallel_size", \.llm.tensorParallelSize, 1...64),
      int("llm.pipeline_parallel_size", \.llm.pipelineParallelSize, 1...64),
      enumeration("llm.restart", \.llm.restart),
      int("llm.idle_unload_seconds", \.llm.idleUnloadSeconds, 0...31_536_000),
      bool("llm.preload", \.llm.preload),
      double("llm.slow_ratio", \.llm.slowRatio, 0...1),
      bool("llm.restart_when_degraded", \.llm.restartWhenDegraded),
      reference("embedding.model", \.embedding.model),
      enumeration("embedding.engine", \.embedding.engine),
      string("embedding.served_name", \.embedding.servedName),
      int("embedding.dimensions", \.embedding.dimensions, 1...65_536),
      port("embedding.port", \.embedding.port),
      int("embedding.batch_size", \.embedding.batchSize, 1...4096),
      int("embedding.hold_seconds", \.embedding.holdSeconds, 1...3600),
      enumeration("embedding.restart", \.embedding.restart),
      int("embedding.idle_unload_seconds", \.embedding.idleUnloadSeconds, 0...31_536_000),
      bool("embedding.preload", \.embedding.preload),
      port("db.port", \.db.port),
      identifier("db.name", \.db.name),
      identifier("db.user", \.db.user),
      enumeration("db.restart", \.db.restart),
    ] + app("backend") + [
      string("backend.cors_variable", \.backend.variable)
    ] + app("frontend") + [
      string("frontend.api_url_variable", \.frontend.variable),
      port("status.port", \.status.port),
      int("endpoint.head_seconds", \.endpoint.headSeconds, 1...3600),
      int("endpoint.idle_seconds", \.endpoint.idleSeconds, 1...86_400),
      int("endpoint.max_head_bytes", \.endpoint.maxHeadBytes, 1024...(80 << 10)),
      int("endpoint.max_body_bytes", \.endpoint.maxBodyBytes, 1024...(1 << 30)),
      string("paths.store", \.paths.store, allowEmpty: true),
      string("paths.state", \.paths.state),
      string("paths.synapse", \.paths.synapse),
      string("binaries.llama_server", \.binaries.llamaServer),
      string("binaries.vllm", \.binaries.vllm),
      string("binaries.python", \.binaries.python),
      string("binaries.pg_bin", \.binaries.pgBin),
      string("binaries.node", \.binaries.node),
    ]

  /// The keys of the backend or the frontend. `command` is `start`'s older name, still read.
  static func app(_ name: String) -> [Field] {
    let backend = name == "backend"
    return [
      bool(name + ".enabled", backend ? \.backend.enabled : \.frontend.enabled),
      string(name + ".dir", backend ? \.backend.dir : \.frontend.dir),
      enumeration(name + ".package_manager", backend ? \.backend.packageManager : \.frontend.packageManager),
      string(name + ".install", backend ? \.backend.install : \.frontend.install, allowEmpty: true),
      string(name + ".build", backend ? \.backend.build : \.frontend.build, allowEmpty: true),
      string(name + ".start", backend ? \.backend.start : \.frontend.start),
      string(name + ".command", backend ? \.backend.start : \.frontend.start),
      string(name + ".migrate", backend ? \.backend.migrate : \.frontend.migrate, allowEmpty: true),
      enumeration(name + ".mode", backend ? \.backend.mode : \.frontend.mode),
      port(name + ".port", backend ? \.backend.port : \.frontend.port),
      url(name + ".health", backend ? \.backend.health : \.frontend.health),
      nodeRequirement(name + ".node", backend ? \.backend.node : \.frontend.node),
      enumeration(name + ".restart", backend ? \.backend.restart : \.frontend.restart),
    ]
  }

  static func yamlLine(_ error: YamlError) -> Int {
    switch error {
    case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
    default: 1
    }
  }

  static func yamlReason(_ error: YamlError) -> String {
    switch error {
    case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): "not valid YAML: \(problem)"
    default: "not valid YAML: \(error)"
    }
  }
}
