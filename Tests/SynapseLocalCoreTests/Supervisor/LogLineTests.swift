import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import Testing

/// `logs`: every log merged by time, and `logs --json`'s one document per line (issue 35, defect
/// 13's second half and its friction).
@Suite("log lines")
struct LogLineTests {
  let utc = TimeZone(identifier: "UTC")!

  func date(_ text: String) -> Date { (try? Date(text, strategy: .iso8601)) ?? .distantPast }

  @Test func theTimesLinesCarryAreRead() throws {
    #expect(
      LogLine.stamp(in: "2026-12-05 10:00:01.250 UTC [42] LOG:  database system is ready", timeZone: utc) == date("2026-12-05T10:00:01Z")
        + 0.25)
    #expect(
      LogLine.stamp(in: "synapse-local: 2026-12-05T10:00:02Z llm exited: killed by signal 9 (SIGKILL)") == date("2026-12-05T10:00:02Z"))
    #expect(LogLine.stamp(in: "[2026-12-05T11:00:03+01:00] GET /ask") == date("2026-12-05T10:00:03Z"))
    #expect(LogLine.stamp(in: "2026-12-05 10:00:04 request", timeZone: utc) == date("2026-12-05T10:00:04Z"))
    #expect(LogLine.stamp(in: "srv  load_model: loading model") == nil)
    #expect(LogLine.stamp(in: "main: 2026-12-05T10:00:00Z is mentioned, not carried") == nil)
  }

  @Test func logsAreMergedByTimeAndLinesWithoutOneFollowTheirLog() throws {
    let db = LogLine.lines(
      "2026-12-05 10:00:00.000 UTC [1] LOG:  starting\n2026-12-05 10:00:05.000 UTC [1] LOG:  ready\n", service: "db", timeZone: utc)
    let llm = LogLine.lines("build: 1234\nsrv  load_model: loading\n", service: "llm", timeZone: utc)
    let supervisor = LogLine.lines(
      "synapse-local: 2026-12-05T10:00:03Z llm exited: killed by signal 9 (SIGKILL); restarting in 1 s, restart 1 of 4\nsynapse-local: a note\n",
      service: "supervisor", timeZone: utc)
    #expect(db.map(\.time) == [date("2026-12-05T10:00:00Z"), date("2026-12-05T10:00:05Z")])
    // The supervisor's note carries no time: it is given the one before it.
    #expect(supervisor[1].time == date("2026-12-05T10:00:03Z"))
    let merged = LogLine.merged([db, llm, supervisor])
    #expect(merged.map(\.service) == ["llm", "llm", "db", "supervisor", "supervisor", "db"])
    #expect(merged.map(\.line)[3].hasSuffix("restart 1 of 4"))
  }

  @Test func eachLineIsOneJSONDocument() throws {
    let line = LogLine(service: "llm", time: date("2026-12-05T10:00:03Z"), line: "a \"quoted\" /path")
    let text = try JSONDocument.line(line)
    #expect(!text.contains("\n"))
    #expect(text == #"{"line":"a \"quoted\" /path","service":"llm","time":"2026-12-05T10:00:03.000Z"}"#)
    #expect(try JSONDocument.line(LogLine(service: "llm", time: nil, line: "x")) == #"{"line":"x","service":"llm","time":null}"#)
    #expect(
      LogFollower.render(line, labelled: true, timestamps: true) == "llm      | 2026-12-05T10:00:03Z | a \"quoted\" /path")
  }
}
