import Foundation
import SynapseLocalSystem

/// The status port's `/metrics`: the registry the endpoints write into, brought up to date with
/// what the supervisor and the chat engine report at the moment of the scrape.
extension Supervisor {
  public func metricsExposition() async -> [UInt8] {
    let status = status()
    settings.metrics.observe(status)
    // The chat engine's own counts (llama-server with --metrics, vLLM): its tokens in and out.
    if let llm = status.services.first(where: { $0.name == .llm }), [.healthy, .degraded].contains(llm.state), let port = llm.enginePort {
      await readEngine(.llm, port: port, model: llm.model)
    }
    return settings.metrics.exposition()
  }

  /// Takes an engine's token counts into the registry (also just before a swap stops an engine,
  /// so what it did since the last scrape is not lost).
  @discardableResult
  func readEngine(_ service: ServiceName, port: Int, model: String?) async -> EngineReading? {
    guard service == .llm,
      let response = try? await context.http.send(
        HTTPRequest(url: "http://127.0.0.1:\(port)/metrics", timeout: prober.timeout), onBody: nil),
      response.status == 200, let reading = EngineReading(exposition: String(decoding: response.body, as: UTF8.self))
    else { return nil }
    settings.metrics.observe(engine: reading, service: service, model: model ?? "", at: context.time.elapsed)
    return reading
  }
}
