import Foundation
import Subprocess
import SynapseLocalSystem

#if canImport(System)
  import System
#else
  import SystemPackage
#endif

public enum CLIRunner {
  /// `directory`: the working directory (relative paths in `arguments` are relative to it).
  public static func run(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil) async throws -> CLIResult {
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    let result = try await Subprocess.run(
      .path(FilePath(Fixtures.executable)), arguments: Arguments(arguments), environment: ChildProcess.environment(env),
      workingDirectory: directory.map { FilePath($0) },
      input: .none, output: .string(limit: 16 << 20), error: .string(limit: 16 << 20))
    return CLIResult(
      status: ChildProcess.status(result.terminationStatus), stdout: result.standardOutput,
      stderr: result.standardError)
  }
}
