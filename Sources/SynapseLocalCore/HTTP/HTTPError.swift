import Foundation

public enum HTTPError: Error, Equatable, CustomStringConvertible {
  case transport(url: String, reason: String)
  case bodyRejected(url: String, reason: String)

  public var description: String {
    switch self {
    case .transport(let url, let reason): "cannot reach \(url): \(reason)"
    case .bodyRejected(let url, let reason): "download from \(url) stopped: \(reason)"
    }
  }
}

/// Receives a successful (2xx) response's body in chunks, with the status (200 or 206 tells whether
/// a Range request was honoured). Throwing aborts the transfer.
/// The chunk is only valid during the call (no copy is made on the way).
public typealias BodyHandler = @Sendable (_ status: Int, _ chunk: UnsafeRawBufferPointer) throws -> Void
