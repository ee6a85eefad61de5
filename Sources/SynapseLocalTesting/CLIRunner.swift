import Foundation

/// Runs the built `synapse-local` binary as a user would, capturing everything it prints.
public struct CLIResult: Sendable {
  public var status: Int32
  public var stdout: String
  public var stderr: String
}

public enum CLIRunner {
  public static func run(_ arguments: [String], environment: [String: String] = [:], inheritEnvironment: Bool = true) throws -> CLIResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Fixtures.executable)
    process.arguments = arguments
    var env = inheritEnvironment ? ProcessInfo.processInfo.environment : [:]
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Drain both pipes concurrently: a full pipe would block the child.
    nonisolated(unsafe) var errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
      errData = err.fileHandleForReading.readDataToEndOfFile()
      group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return CLIResult(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self))
  }
}
