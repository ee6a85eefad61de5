import Foundation
import Subprocess

#if canImport(System)
  import System
#else
  import SystemPackage
#endif

/// Children for tests are started with swift-subprocess, which hands a child only stdin, stdout and
/// stderr. Foundation's `Process` lets descriptors leak between children started at the same
/// moment, so parallel tests (a daemon inheriting another test's pipe) could wait forever.
enum ChildProcess {
  static func environment(_ values: [String: String]?) -> Subprocess.Environment {
    guard let values else { return .inherit }
    var custom: [Subprocess.Environment.Key: String] = [:]
    for (key, value) in values {
      if let key = Subprocess.Environment.Key(rawValue: key) { custom[key] = value }
    }
    return .custom(custom)
  }

  static func status(_ status: TerminationStatus) -> Int32 {
    switch status {
    case .exited(let code): code
    case .signaled(let signal): 128 + signal
    }
  }
}

/// Runs a short command and returns its exit status and output (stdout and stderr together, in
/// order, through one file).
@discardableResult
public func runCommand(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws -> (Int32, String) {
  let path = NSTemporaryDirectory() + "synapse-local-cmd-\(UUID().uuidString).out"
  let file = try FileDescriptor.open(FilePath(path), .writeOnly, options: [.create, .truncate], permissions: [.ownerReadWrite])
  defer { try? FileManager.default.removeItem(atPath: path) }
  let result = try await Subprocess.run(
    .path(FilePath(executable)), arguments: Arguments(arguments), environment: ChildProcess.environment(environment),
    input: .none, output: .fileDescriptor(file, closeAfterSpawningProcess: false),
    error: .fileDescriptor(file, closeAfterSpawningProcess: false))
  try file.close()
  let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
  return (ChildProcess.status(result.terminationStatus), text)
}
