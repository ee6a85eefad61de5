import Foundation

/// Values placed into `.env`: plain when dotenv readers (Node's dotenv, python-dotenv, Docker
/// Compose) all read them back unchanged, double-quoted with escapes otherwise.
public enum EnvValue {
  static let plainCharacters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:@+-,=")

  /// Single quotes when needed: every reader takes their content literally (no `$` expansion, no
  /// escapes). A value with a single quote or a line break cannot be written safely for all of them.
  public static func string(_ value: String) throws -> String {
    if !value.isEmpty && value.unicodeScalars.allSatisfy(plainCharacters.contains) { return value }
    guard !value.contains("'"), !value.contains("\n"), !value.contains("\r") else {
      throw GenerateError.unsafeValue(value: value, format: ".env")
    }
    return "'\(value)'"
  }
}
