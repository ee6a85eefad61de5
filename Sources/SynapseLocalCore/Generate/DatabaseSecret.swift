import Foundation

/// The database password: generated once per project from the system's secure random source,
/// kept in the state folder (mode 0600, folder 0700) and reused by every later `generate`.
public enum DatabaseSecret {
  static let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

  public static func path(state: String) -> String { state + "/secrets/db-password" }

  public static func loadOrCreate(state: String) throws -> String {
    let file = path(state: state)
    if let data = FileManager.default.contents(atPath: file) {
      let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
      if text.count >= 16 && text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) { return text }
    }
    var generator = SystemRandomNumberGenerator()
    // 32 characters of 62: about 190 bits, and safe in a URL, a shell and .env without quoting.
    let password = String((0..<32).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    let folder = (file as NSString).deletingLastPathComponent
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    } catch {
      throw GenerateError.unwritable(path: folder, reason: error.localizedDescription)
    }
    try AtomicFile.write(Data((password + "\n").utf8), to: file, permissions: 0o600)
    return password
  }
}
