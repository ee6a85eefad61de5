import Foundation
import Subprocess

#if canImport(System)
  import System
#else
  import SystemPackage
#endif

/// Runs short commands to completion (probes such as `nvidia-smi`). Long-lived services are the
/// supervisor's business, not this protocol's.
public protocol ProcessRunner: Sendable {
  func run(_ executable: String, _ arguments: [String], timeout: Duration) async throws -> ProcessResult
}
