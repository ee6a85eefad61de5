import Foundation
import SynapseLocalSystem

/// The key clients on other hosts send to the model endpoints when `expose_models` is on
/// (`Authorization: Bearer <key>`): generated once per project from the system's secure random
/// source and kept in the state folder's `secrets/models-key` (mode 0600). It is never logged or
/// printed; whoever gives it to a client reads it from that file.
public enum ModelsKey {
  public static func path(state: String) -> String { state + "/secrets/models-key" }

  public static func loadOrCreate(state: String, files: any FileSystem) throws -> String {
    let file = path(state: state)
    if let data = files.contents(file) {
      let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
      if text.hasPrefix("sl-") && text.count >= 24 { return text }
    }
    try DatabaseSecret.makeStateFolder(state, files: files)
    let key = "sl-" + DatabaseSecret.randomText(count: 40)
    try files.write(Data((key + "\n").utf8), to: file, permissions: 0o600)
    return key
  }
}
