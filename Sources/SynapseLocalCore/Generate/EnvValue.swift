import Foundation
import SynapseLocalSystem

/// Values placed into `.env`: plain when dotenv readers (Node's dotenv, python-dotenv, Docker
/// Compose) all read them back unchanged, double-quoted with escapes otherwise.
public enum EnvValue {
  static let plainCharacters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:@+-,=")

  /// Single quotes when needed: every reader takes their content literally (no `$` expansion, no
  /// escapes). A value with a single quote or a line break cannot be written safely for all of them.
  public static func string(_ value: String) throws -> String {
    if !value.isEmpty && value.unicodeScalars.allSatisfy(plainCharacters.contains) { return value }
    guard !value.contains("'"), !breaksLine(value) else { throw GenerateError.unsafeValue(value: value, format: ".env") }
    return "'\(value)'"
  }

  /// Text inside a `#` comment: taken as it is, but a line break would end the comment and make
  /// the rest a setting of its own (`x\nNODE_OPTIONS=...`).
  public static func comment(_ value: String) throws -> String {
    guard !breaksLine(value) else { throw GenerateError.unsafeValue(value: value, format: ".env") }
    return value
  }

  /// Readers differ on which characters end a line, so no control character goes into `.env`.
  static func breaksLine(_ value: String) -> Bool { ControlCharacters.first(in: value) != nil }
}
