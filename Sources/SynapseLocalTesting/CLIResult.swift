import Foundation
import Subprocess

/// Runs the built `synapse-local` binary as a user would, capturing everything it prints.
public struct CLIResult: Sendable {
  public var status: Int32
  public var stdout: String
  public var stderr: String

  public init(status: Int32, stdout: String, stderr: String) {
    self.status = status
    self.stdout = stdout
    self.stderr = stderr
  }
}
