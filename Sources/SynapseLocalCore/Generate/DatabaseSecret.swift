import Foundation
import SynapseLocalSystem

/// The database password: generated once per project from the system's secure random source,
/// kept in the state folder (mode 0600, folder 0700) and reused by every later `generate`.
public enum DatabaseSecret {
  static let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

  public static func path(state: String) -> String { state + "/secrets/db-password" }

  /// The kept password, else the one in an earlier `.env` (the database was initialised with it,
  /// so a lost state folder must not change it), else nil.
  public static func existing(state: String, envFile: String, files: any FileSystem) -> String? {
    if let data = files.contents(path(state: state)) {
      let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
      if isWellFormed(text) { return text }
    }
    let lines = (files.readText(envFile) ?? "").split(separator: "\n")
    let prefix = "SYNAPSE_LOCAL_DB_PASSWORD="
    guard let line = lines.first(where: { $0.hasPrefix(prefix) }) else { return nil }
    let value = line.dropFirst(prefix.count).trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
    return isWellFormed(value) ? value : nil
  }

  /// Letters and digits from the system's secure random source.
  static func randomText(count: Int) -> String {
    var generator = SystemRandomNumberGenerator()
    return String((0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
  }

  static func isWellFormed(_ text: String) -> Bool {
    text.count >= 16 && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
  }

  public static func loadOrCreate(state: String, envFile: String, files: any FileSystem) throws -> String {
    let file = path(state: state)
    let kept = existing(state: state, envFile: envFile, files: files)
    if let kept, files.exists(file) { return kept }
    try makeStateFolder(state, files: files)
    // 32 characters of 62: about 190 bits, and safe in a URL, a shell and .env without quoting.
    let password = kept ?? randomText(count: 32)
    try files.write(Data((password + "\n").utf8), to: file, permissions: 0o600)
    return password
  }

  /// The state folder and its `secrets/` (0700), with a `.gitignore` that keeps all of it out of
  /// git: it usually sits inside the user's Synapse checkout.
  static func makeStateFolder(_ state: String, files: any FileSystem) throws {
    let secrets = state + "/secrets"
    // Enterable, not listable: PostgreSQL's own user passes through it to its folder. An existing
    // folder keeps its mode.
    try? files.createDirectory(state, permissions: 0o711)
    do {
      try files.createDirectory(secrets, permissions: 0o700)
    } catch {
      throw GenerateError.unwritable(path: secrets, reason: error.localizedDescription)
    }
    let ignore = state + "/.gitignore"
    if !files.exists(ignore) {
      try files.write(
        Data("# synapse-local's state: database files, logs, secrets. Never commit it.\n*\n".utf8), to: ignore, permissions: 0o644)
    }
  }
}
