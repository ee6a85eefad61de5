import Foundation

/// Values placed into `.env`: plain when dotenv readers (Node's dotenv, python-dotenv, Docker
/// Compose) all read them back unchanged, double-quoted with escapes otherwise.
public enum EnvValue {
  static let plainCharacters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:@+-,=")

  public static func string(_ value: String) -> String {
    if !value.isEmpty && value.unicodeScalars.allSatisfy(plainCharacters.contains) { return value }
    let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
      .replacingOccurrences(of: "\n", with: "\\n")
    return "\"\(escaped)\""
  }
}

/// Strings placed into generated Python source: a JSON string literal is a valid Python one.
public enum PythonString {
  public static func literal(_ value: String) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.withoutEscapingSlashes]
    return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "\"\""
  }
}
