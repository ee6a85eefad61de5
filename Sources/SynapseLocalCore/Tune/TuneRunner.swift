/// Measures one point: the seconds the reference request takes with it (lower is better). Throws
/// when the engine will not run with those flags.
public protocol TuneRunner: Sendable {
  func measure(_ point: TunePoint) async throws -> Double
}
