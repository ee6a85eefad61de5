import Foundation
import SynapseLocalTesting
import Testing

/// Headless Chromium kept open on a running stack's status page (Tests/Fixtures/browser/
/// watch_page.py, over the DevTools pipe): it reports when the page shows the five services live,
/// and then when the page, never reloaded, has shown the llm restarting and healthy again (the
/// states its script saw, in each row's `data-seen`). Screenshots and the DOM of both moments go to
/// `.build/test-output/status-page/`.
struct StatusPageBrowser {
  static let output = Fixtures.repositoryRoot + "/.build/test-output/status-page"
  static let ready = """
    document.querySelectorAll('#services tbody tr[data-service]').length === 5 && document.getElementById('updated').dataset.live === 'yes' \
    && document.querySelector('tr[data-service=llm]').dataset.state === 'healthy'
    """
  /// Healthy again, after a `restarting` the page saw, with the restart counted.
  static let restartShown = """
    (() => { const row = document.querySelector('tr[data-service=llm]'); const seen = row.dataset.seen.split(' '); \
    return row.dataset.state === 'healthy' && seen.indexOf('restarting') > 0 && seen[seen.length - 1] === 'healthy' \
    && row.querySelector('.restarts').textContent === '1'; })()
    """

  let process: TestProcess

  init(statusPort: Int) throws {
    try? FileManager.default.removeItem(atPath: Self.output)
    process = try TestProcess(
      try TestBed.require(.python),
      [
        Fixtures.root + "/browser/watch_page.py", try TestBed.require(.chromium), "http://127.0.0.1:\(statusPort)/", Self.output,
        Self.ready,
        Self.restartShown, "90",
      ])
  }

  /// Waits for the driver's `line` (`ready`, `done`); fails with what it said and the page's DOM.
  func expect(_ line: String, seconds: Int = 60) async throws {
    for _ in 0..<(seconds * 10) {
      let said = process.log.split(separator: "\n")
      if said.contains(Substring(line)) { return }
      if said.contains(where: { $0.hasPrefix("timeout") }) || !process.isRunning { break }
      try await Task.sleep(for: .milliseconds(100))
    }
    let dom = (try? String(contentsOfFile: Self.output + "/timeout.html", encoding: .utf8)) ?? ""
    throw TestFailure("the status page did not get to `\(line)`: \(process.log.suffix(1500))\n\(dom.suffix(3000))")
  }
}
