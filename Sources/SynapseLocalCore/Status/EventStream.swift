/// Server-Sent Events as the status port writes them (`/api/events`): an event is its name and
/// its data, one `data:` line per line of it, ended by an empty line; a comment line (`: …`) keeps
/// the connection busy for proxies and is ignored by browsers.
public enum EventStream {
  public static let contentType = "text/event-stream; charset=utf-8"

  public static func event(_ name: String, data: String) -> String {
    // CR, LF and CRLF each end a line in SSE: each starts a new `data:` line.
    let lines = data.split(omittingEmptySubsequences: false, whereSeparator: isBreak)
    return "event: \(oneLine(name))\n" + lines.map { "data: \($0)\n" }.joined() + "\n"
  }

  public static func comment(_ text: String) -> String { ": \(oneLine(text))\n\n" }

  static func oneLine(_ text: String) -> String {
    String(text.map { isBreak($0) ? " " : $0 })
  }

  static func isBreak(_ character: Character) -> Bool { character == "\n" || character == "\r" || character == "\r\n" }
}
