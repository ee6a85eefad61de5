/// How many terminal columns text takes: emoji shown as emoji (⚡) and East Asian wide characters
/// take two, combining marks none, the rest one. Tables pad by this, not by character count, so a
/// column after `⚡⚡⚡` lines up.
public enum DisplayWidth {
  public static func of(_ text: String) -> Int {
    text.unicodeScalars.reduce(0) { total, scalar in total + columns(scalar) }
  }

  static func columns(_ scalar: Unicode.Scalar) -> Int {
    let properties = scalar.properties
    if properties.generalCategory == .nonspacingMark || properties.generalCategory == .enclosingMark || scalar.value == 0x200D
      || (0xFE00...0xFE0F).contains(scalar.value)
    {
      return 0
    }
    if properties.isEmojiPresentation { return 2 }
    switch scalar.value {
    case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xAC00...0xD7A3,
      0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
      return 2
    default:
      return 1
    }
  }

  /// `text` followed by spaces up to `width` columns.
  public static func padded(_ text: String, to width: Int) -> String {
    text + String(repeating: " ", count: max(0, width - of(text)))
  }
}
