import Foundation
import SynapseLocalCore
import SynapseLocalSystem

/// Questions are asked only when a person is there: stdin and stdout both terminals, and the
/// command's output printed on them (not recorded by a test).
enum Terminal {
  static func isInteractive(_ context: Context) -> Bool {
    guard let output = context.output as? TerminalOutput, output.base is StandardStreams else { return false }
    return isatty(0) == 1 && isatty(1) == 1
  }

  static func confirm(_ question: String, default answer: Bool) -> Bool {
    FileHandle.standardOutput.write(Data("\(question) [\(answer ? "Y/n" : "y/N")] ".utf8))
    guard let reply = readLine()?.trimmingCharacters(in: .whitespaces).lowercased(), !reply.isEmpty else { return answer }
    return reply.hasPrefix("y")
  }
}
