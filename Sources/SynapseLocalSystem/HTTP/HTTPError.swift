import Foundation

public enum HTTPError: Error, Equatable, CustomStringConvertible {
  case transport(url: String, reason: String)
  case bodyRejected(url: String, reason: String)
  /// The host's name does not resolve: this machine has no network, or no DNS. Not tried again:
  /// on an offline host every retry fails the same way, and backing off cost 31 s per command.
  case unresolvable(url: String, host: String)

  public var description: String {
    switch self {
    case .transport(let url, let reason): "cannot reach \(url): \(reason)"
    case .unresolvable(let url, let host): "cannot resolve \(host) (for \(url)): this machine has no network or no DNS"
    case .bodyRejected(let url, let reason): "download from \(url) stopped: \(reason)"
    }
  }

  /// What went wrong without the URL, for a message that names the URL itself (else it reads
  /// "cannot reach URL: cannot reach URL: …").
  public var reason: String {
    switch self {
    case .transport(_, let reason): reason
    case .unresolvable(_, let host): "cannot resolve \(host): this machine has no network or no DNS"
    case .bodyRejected(_, let reason): "the download stopped: \(reason)"
    }
  }

  /// `error`'s reason when it is an HTTP error, else its description.
  public static func reason(_ error: any Error) -> String {
    (error as? HTTPError)?.reason ?? String(describing: error)
  }

  /// The host part of a URL, for messages.
  static func host(of url: String) -> String {
    URLComponents(string: url)?.host ?? url
  }
}

/// Receives a successful (2xx) response's body in chunks, with the status (200 or 206 tells whether
/// a Range request was honoured). Throwing aborts the transfer.
/// The chunk is only valid during the call (no copy is made on the way).
public typealias BodyHandler = @Sendable (_ status: Int, _ chunk: UnsafeRawBufferPointer) throws -> Void
