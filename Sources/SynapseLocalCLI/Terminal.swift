import Foundation

/// Questions are asked only when a person is there: stdin and stdout both terminals.
enum Terminal {
  static var isInteractive: Bool { isatty(0) == 1 && isatty(1) == 1 }

  static func confirm(_ question: String, default answer: Bool) -> Bool {
    FileHandle.standardOutput.write(Data("\(question) [\(answer ? "Y/n" : "y/N")] ".utf8))
    guard let reply = readLine()?.trimmingCharacters(in: .whitespaces).lowercased(), !reply.isEmpty else { return answer }
    return reply.hasPrefix("y")
  }
}
