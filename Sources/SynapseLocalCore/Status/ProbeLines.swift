import Foundation

/// The lines a service logs for the supervisor's own requests (its health checks, and the chat
/// engine's `/metrics` read for the figures): left out of the status page's log tails, where two
/// every 5 s would bury what the service said. A line is one when it records a request to one of
/// those paths, in the forms servers log them: uvicorn's and Flask's `"GET /health HTTP/1.1" 200`,
/// llama-server's `request: GET /health 127.0.0.1 200`, an app's `GET /api/health 200 1.2 ms`.
public enum ProbeLines {
  /// The paths the supervisor asks `service` for on its own.
  public static func paths(_ check: HealthCheck, service: ServiceName) -> [String] {
    var paths: [String] = []
    switch check {
    case .http(let url): paths.append(URLComponents(string: url)?.path ?? "/health")
    case .embedding: paths.append("/health")
    case .postgres: break
    }
    if service == .llm { paths.append("/metrics") }
    return paths.map { $0.isEmpty ? "/" : $0 }
  }

  public static func isProbe(_ line: Substring, paths: [String]) -> Bool {
    for method in ["GET ", "HEAD "] {
      for path in paths {
        var rest = line[...]
        while let found = rest.range(of: method + path) {
          // The path whole: `/health` but not `/healthy`.
          let next = found.upperBound < line.endIndex ? line[found.upperBound] : " "
          if next == " " || next == "?" || next == "\"" { return true }
          rest = line[found.upperBound...]
        }
      }
    }
    return false
  }

  /// The last `count` lines of `text` that are not probes.
  public static func tail(_ text: String, count: Int, paths: [String]) -> [String] {
    text.split(separator: "\n", omittingEmptySubsequences: true).filter { !isProbe($0, paths: paths) }.suffix(count).map(String.init)
  }
}
