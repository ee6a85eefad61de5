import SynapseLocalSystem

/// Where runtimes live: `SYNAPSE_LOCAL_HOME`, else `$XDG_DATA_HOME/synapse-local`, else
/// `~/.local/share/synapse-local`; one folder per runtime, version and variant below `runtimes/`.
/// System folders are never written.
public struct RuntimeHome: Sendable, Equatable {
  public var path: String

  public init(path: String) {
    self.path = path
  }

  public init(environment: [String: String]) {
    func set(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
    if let home = set("SYNAPSE_LOCAL_HOME") {
      path = AbsolutePath.resolve(home, relativeTo: "/", environment: environment)
    } else if let data = set("XDG_DATA_HOME"), data.hasPrefix("/") {
      // The XDG specification ignores a relative XDG_DATA_HOME.
      path = data + "/synapse-local"
    } else {
      path = AbsolutePath.resolve("~/.local/share/synapse-local", relativeTo: "/", environment: environment)
    }
  }

  /// `runtimes/<id>/<version>-<variant>-<platform>`, e.g. `runtimes/llama.cpp/b6000-cpu-linux-x86_64`.
  public func folder(_ runtime: RuntimeID, version: String, variant: String, platform: Platform) -> String {
    "\(path)/runtimes/\(runtime.rawValue)/\(version)-\(variant)-\(platform.rawValue)"
  }

  /// Where installs are extracted and verified before their rename: on the same file system.
  public var staging: String { path + "/staging" }
}
