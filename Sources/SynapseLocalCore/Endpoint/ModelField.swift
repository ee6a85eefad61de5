import Foundation
import SynapseLocalSystem

/// The top-level `"model"` member of a JSON request body, found without parsing the whole body,
/// so the stable endpoint can rename a model while passing every other byte through unchanged
/// (key order, spacing and numbers stay exactly as the client sent them).
enum ModelField {
  /// The byte range of the top-level `"model"` string value (quotes included) and its text; nil
  /// when the body is not a JSON object or has no such string member.
  static func locate(_ body: [UInt8]) -> (range: Range<Int>, name: String)? {
    var index = 0
    func skipSpace() { while index < body.count, [0x20, 0x09, 0x0A, 0x0D].contains(body[index]) { index += 1 } }
    /// Past a string starting at `index` (a quote); false when it never ends.
    func skipString() -> Bool {
      index += 1
      while index < body.count {
        switch body[index] {
        case 0x5C: index += 2  // backslash: the next byte is escaped
        case 0x22:
          index += 1
          return true
        default: index += 1
        }
      }
      return false
    }
    /// Past one value of any kind.
    func skipValue() -> Bool {
      guard index < body.count else { return false }
      if body[index] == 0x22 { return skipString() }
      var depth = 0
      while index < body.count {
        switch body[index] {
        case 0x22:
          guard skipString() else { return false }
          continue
        case 0x7B, 0x5B: depth += 1
        case 0x7D, 0x5D:
          if depth == 0 { return true }
          depth -= 1
          if depth == 0 {
            index += 1
            return true
          }
        case 0x2C where depth == 0: return true
        default: break
        }
        index += 1
      }
      return depth == 0
    }

    skipSpace()
    guard index < body.count, body[index] == 0x7B else { return nil }
    index += 1
    while true {
      skipSpace()
      guard index < body.count, body[index] == 0x22 else { return nil }
      let keyStart = index
      guard skipString() else { return nil }
      let key = body[keyStart..<index]
      skipSpace()
      guard index < body.count, body[index] == 0x3A else { return nil }
      index += 1
      skipSpace()
      let valueStart = index
      if Array(key) == Array(#""model""#.utf8), valueStart < body.count, body[valueStart] == 0x22 {
        guard skipString() else { return nil }
        let range = valueStart..<index
        guard let name = try? JSONDecoder().decode(String.self, from: Data(body[range])) else { return nil }
        return (range, name)
      }
      guard skipValue() else { return nil }
      skipSpace()
      guard index < body.count else { return nil }
      if body[index] == 0x2C {
        index += 1
        continue
      }
      return nil  // "}" (no model member) or malformed
    }
  }

  static let encoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .withoutEscapingSlashes
    return encoder
  }()

  /// The body with its model renamed to `active` when it names one of `former`; nil when there is
  /// nothing to rename.
  static func rename(_ body: [UInt8], former: Set<String>, to active: String) -> [UInt8]? {
    guard !former.isEmpty, let (range, name) = locate(body), name != active, former.contains(name),
      let encoded = try? Self.encoder.encode(active)
    else { return nil }
    var renamed = body
    renamed.replaceSubrange(range, with: Array(encoded))
    return renamed
  }
}
