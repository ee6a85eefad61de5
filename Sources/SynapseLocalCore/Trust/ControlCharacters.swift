import Foundation
import SynapseLocalSystem

/// Characters that end a line for some reader (line feed, carriage return, NEL, the Unicode line
/// and paragraph separators) or mean something else to a terminal or a parser (NUL, ESC...): no
/// value from outside is written into `.env`, a unit file or a script with one.
public enum ControlCharacters {
  /// The first such character in `text`, or nil.
  public static func first(in text: String, allowing allowed: Set<Unicode.Scalar> = []) -> Unicode.Scalar? {
    text.unicodeScalars.first {
      !allowed.contains($0) && [.control, .lineSeparator, .paragraphSeparator].contains($0.properties.generalCategory)
    }
  }

  /// `U+000A (a line break)`: the character named for a one-line error.
  public static func name(_ scalar: Unicode.Scalar) -> String {
    let code = String(format: "U+%04X", scalar.value)
    let names: [Unicode.Scalar: String] = ["\n": "a line break", "\r": "a carriage return", "\t": "a tab", "\0": "NUL"]
    return names[scalar].map { "\(code) (\($0))" } ?? code
  }
}
