import Foundation
import SynapseLocalSystem

/// Values placed into YAML templates: left plain when YAML reads them back as the same string,
/// double-quoted and escaped otherwise (so a command with `: ` or `#` cannot change the structure).
public enum YAMLScalar {
  static let plainCharacters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./@+-")
  static let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"]

  /// Plain only when it starts with a letter or `/` (never an indicator such as `@`, `-`, `.`), has
  /// no character YAML treats specially, and cannot be read as a boolean, null or number (YAML 1.1
  /// numbers may hold `_`).
  public static func string(_ value: String) -> String {
    guard let first = value.unicodeScalars.first, CharacterSet.letters.contains(first) || first == "/" else { return quoted(value) }
    let plain =
      value.unicodeScalars.allSatisfy(plainCharacters.contains) && !reserved.contains(value.lowercased())
      && Double(value.replacingOccurrences(of: "_", with: "")) == nil
    return plain ? value : quoted(value)
  }

  public static func quoted(_ value: String) -> String {
    var out = "\""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      default:
        if scalar.value < 0x20 || scalar.value == 0x7F {
          out += String(format: "\\x%02X", scalar.value)
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }
}
