import Foundation
import SynapseLocalSystem

/// Where a project's stack keeps its state, found without reading the project file: a typo in
/// `synapse-local.yaml` must never lock the user out of a running stack (`down`, `status`, `logs`
/// and `restart` reach it all the same). `up` records a state folder other than the default in
/// `<project>/.synapse-local/state-folder`; the default folder needs no record.
public enum StackStateRecord {
  public static func defaultFolder(project: String) -> String { project + "/" + ProjectConfiguration.Paths().state }

  static func recordPath(project: String) -> String { defaultFolder(project: project) + "/state-folder" }

  /// At `up`: the state folder this start uses, for the commands that may not be able to read the
  /// project file later.
  public static func record(state: String, project: String, files: any FileSystem) throws {
    let record = recordPath(project: project)
    guard state != defaultFolder(project: project) else {
      if files.exists(record) { try files.remove(record) }
      return
    }
    try files.createDirectory(defaultFolder(project: project), permissions: 0o700)
    try files.write(state + "\n", to: record)
  }

  /// The state folder of the stack last started in `project`, when one was: the recorded one, else
  /// the default folder if a stack ever ran there; nil when neither.
  public static func recorded(project: String, files: any FileSystem) -> String? {
    if let data = files.contents(recordPath(project: project)) {
      let state = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
      if state.hasPrefix("/"), !PathSafety.hasControlCharacter(state), files.isDirectory(state + "/run") { return state }
    }
    let fallback = defaultFolder(project: project)
    return files.isDirectory(fallback + "/run") ? fallback : nil
  }
}
