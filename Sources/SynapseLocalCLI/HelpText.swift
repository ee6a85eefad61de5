import Foundation

/// argument-parser wraps a command's overview (abstract and discussion) at the terminal width,
/// which breaks an example command in the middle, so a copied line no longer runs. The overview
/// is taken from a rendering too wide to wrap and wrapped here, with indented lines (examples)
/// kept whole; the rest of the help (usage, options) is argument-parser's own.
enum HelpText {
  /// Wider than any line of ours: nothing is wrapped.
  static let unwrapped = 10_000

  /// As argument-parser measures it: COLUMNS, else the terminal's width, else 80.
  static var terminalWidth: Int {
    if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
    var size = winsize()
    if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
    return 80
  }

  static func keepingIndentedLinesWhole(_ text: String, unwrapped wide: String, width: Int) -> String {
    let marker = "\n\nUSAGE: "
    guard text.hasPrefix("OVERVIEW: "), let rest = text.range(of: marker), let overview = wide.range(of: marker) else { return text }
    return wrap(wide[..<overview.lowerBound], width: width) + text[rest.lowerBound...]
  }

  /// Paragraphs wrapped at word boundaries to lines shorter than `width`; indented lines as they are.
  static func wrap(_ text: Substring, width: Int) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
      if line.first == " " { return String(line) }
      var lines: [String] = []
      var current = ""
      for word in line.split(separator: " ") {
        if !current.isEmpty && current.count + 1 + word.count >= width {
          lines.append(current)
          current = String(word)
        } else {
          current += (current.isEmpty ? "" : " ") + word
        }
      }
      lines.append(current)
      return lines.joined(separator: "\n")
    }.joined(separator: "\n")
  }
}
