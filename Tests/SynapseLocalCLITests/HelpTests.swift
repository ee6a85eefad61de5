import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// Every command's `--help` as a user reads it in an 80-column terminal: it has examples, and each
/// example is one whole line that can be copied and run.
@Suite("help text")
struct HelpTests {
  func help(_ command: [String]) async throws -> String {
    // In this process, at 80 columns (as COLUMNS=80 gives the binary).
    let result = await InProcessCLI.run(command + ["--help"], context: InProcessCLI.context())
    #expect(result.status == 0, "\(command): \(result.stderr)")
    return result.stdout
  }

  /// The names listed under SUBCOMMANDS: (hidden commands are not listed).
  static func subcommands(_ help: String) -> [String] {
    guard let section = help.range(of: "SUBCOMMANDS:\n") else { return [] }
    // The section ends at its first empty line (a "See '… help'" line follows).
    let lines = help[section.upperBound...].split(separator: "\n", omittingEmptySubsequences: false).prefix { !$0.isEmpty }
    return lines.compactMap { line in
      // A name starts two columns in; a wrapped description goes on much further in.
      guard line.hasPrefix("  "), !line.hasPrefix("   ") else { return nil }
      return line.split(separator: " ").first.map(String.init)
    }.filter { $0 != "help" }
  }

  @Test func everyCommandHasExamplesKeptWhole() async throws {
    let topLevel = Set(Self.subcommands(try await help([])))
    var pending: [[String]] = [[]]
    var seen: [String] = []
    while let command = pending.popLast() {
      let text = try await help(command)
      if command.count < 2 { pending += Self.subcommands(text).map { command + [$0] } }
      let name = (["synapse-local"] + command).joined(separator: " ")
      seen.append(name)
      let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
      guard let start = lines.firstIndex(of: "Examples:") else {
        Issue.record("`\(name) --help` has no Examples:")
        continue
      }
      let examples = lines[(start + 1)...].prefix { !$0.isEmpty }
      #expect(examples.contains { $0.hasPrefix("  synapse-local ") }, "\(name)")
      for line in examples {
        // A line cut by wrapping would go on at the left margin of the next line.
        #expect(line.hasPrefix("  ") && !line.hasSuffix("\\"), "\(name): «\(line)»")
        let words = line.split(separator: " ")
        if words.first == "synapse-local" { #expect(words.count > 1 && topLevel.contains(String(words[1])), "\(name): «\(line)»") }
      }
    }
    for command in ["synapse-local status", "synapse-local logs", "synapse-local models rm", "synapse-local bundle list"] {
      #expect(seen.contains(command))
    }
  }

  @Test func valueNamesAreUppercaseAndSwapNamesItsServices() async throws {
    var pending: [[String]] = [[]]
    while let command = pending.popLast() {
      let text = try await help(command)
      if command.count < 2 { pending += Self.subcommands(text).map { command + [$0] } }
      guard let usage = text.range(of: "\nUSAGE: ") else { continue }
      let names = text[usage.lowerBound...].matches(of: /<([^>]+)>/).map { String($0.output.1) }
      // argument-parser's own placeholders in a usage line, and prose.
      for name in names where !["subcommand", "options", "project folder"].contains(name) {
        #expect(name == name.uppercased(), "\(command): <\(name)>")
      }
    }
    let swap = try await help(["swap"])
    #expect(swap.contains("(values: llm, embedding)") && !swap.contains("values: db"))
    let logs = try await help(["logs"])
    #expect(logs.contains("-n, --lines, --tail <N>"))
    #expect(
      await InProcessCLI.run(["logs", "--tail", "3", "--project", "/nonexistent"], context: InProcessCLI.context()).stderr.contains(
        "no project at"))
  }
}
