import Foundation

/// Why the last `up` of this project failed, kept in the run folder until a start succeeds: once
/// the stack is down, only this file still says what went wrong (`doctor` reads it).
public enum LastStartFailure {
  public static func path(runFolder: String) -> String { runFolder + "/last-start-failure" }

  public static func record(_ reason: String, runFolder: String) {
    try? FileManager.default.createDirectory(atPath: runFolder, withIntermediateDirectories: true)
    try? AtomicFile.write(Data(reason.utf8), to: path(runFolder: runFolder), permissions: 0o600)
  }

  public static func clear(runFolder: String) {
    try? FileManager.default.removeItem(atPath: path(runFolder: runFolder))
  }

  public static func read(runFolder: String, files: any FileSystem) -> String? {
    files.readText(path(runFolder: runFolder)).flatMap { $0.isEmpty ? nil : $0 }
  }
}
