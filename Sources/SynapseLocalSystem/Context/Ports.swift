import Foundation

/// TCP ports on 127.0.0.1: a free one for an engine behind its stable endpoint, and who holds a
/// taken one. Through the context, so a test says which ports are free instead of binding real
/// ones.
public protocol Ports: Sendable {
  /// A port on 127.0.0.1 that is free now (the kernel's choice).
  func freePort() throws -> Int
  /// nil when free; the owner's "name (pid N)" when known, else "".
  func owner(of port: Int) -> String?
}
