import Foundation
import SynapseLocalSystem

/// Strings placed into generated Python source: a JSON string literal is a valid Python one.
public enum PythonString {
  public static func literal(_ value: String) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.withoutEscapingSlashes]
    return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "\"\""
  }
}
