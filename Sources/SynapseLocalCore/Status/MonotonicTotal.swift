/// Turns a figure that starts again from zero when its process does (an engine's token count, a
/// service's restarts after a swap) into a Prometheus counter's total, which never goes down.
struct MonotonicTotal: Sendable, Equatable {
  private(set) var total: Double = 0
  private var last: Double?

  /// Takes a new reading; returns how much the total grew.
  mutating func observe(_ reading: Double) -> Double {
    defer { last = reading }
    guard let last else {
      total += reading
      return reading
    }
    // Lower than before: the process started over, and everything it counted since is new.
    let growth = reading >= last ? reading - last : reading
    total += growth
    return growth
  }
}
