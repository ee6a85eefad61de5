/// What a service's last log lines say went wrong, recognised from the messages llama.cpp,
/// vLLM, PostgreSQL, Python and Node print.
public enum LogCause: String, Sendable, Equatable, CaseIterable {
  case outOfMemory = "out of memory"
  case missingLibrary = "a missing library"
  case badFlag = "a flag the program does not take"
  case portInUse = "a port already in use"
  case modelLoad = "the model failed to load"

  public var summary: String { rawValue }

  public var fix: String {
    switch self {
    case .outOfMemory: "a smaller model or context (synapse-local recommend), or more memory"
    case .missingLibrary: "reinstall the runtime (synapse-local install ID --force)"
    case .badFlag: "remove the flag from synapse-local.yaml, or install an engine that takes it"
    case .portInUse: "free the port, or give the service another one in synapse-local.yaml"
    case .modelLoad: "check the file (synapse-local doctor --deep), or fetch it again (synapse-local pull)"
    }
  }

  static let patterns: [(LogCause, [String])] = [
    (.outOfMemory, ["out of memory", "cannot allocate memory", "oom-kill", "cuda error: out of memory", "failed to allocate"]),
    (
      .missingLibrary,
      ["error while loading shared libraries", "cannot open shared object file", "modulenotfounderror", "library not loaded"]
    ),
    (
      .badFlag,
      ["invalid argument", "unknown argument", "unrecognized option", "unrecognized arguments", "invalid option", "error: unknown option"]
    ),
    (.portInUse, ["address already in use", "eaddrinuse", "couldn't bind", "could not bind"]),
    (.modelLoad, ["failed to load model", "error loading model", "unable to load model", "failed to read magic", "invalid magic"]),
  ]

  /// The first cause whose message appears in `text`, checked in this order.
  /// The first cause whose message appears in `text`, checked in this order; with none, exit 137
  /// (SIGKILL, most often the kernel's out-of-memory killer).
  public static func recognize(_ text: String, exitStatus: Int32? = nil) -> LogCause? {
    let lower = text.lowercased()
    if let found = patterns.first(where: { _, needles in needles.contains { lower.contains($0) } })?.0 { return found }
    return exitStatus == 137 ? .outOfMemory : nil
  }
}
