import Foundation

/// The status page's chart of the chat engine's speed: one SVG path per kind of token, drawn
/// server-side so the page shows it without JavaScript (status.js draws the same from each event).
/// Samples are evenly spaced, the newest at the right edge; a sample with no speed breaks the line.
public enum ThroughputChart {
  public static let width = 600.0
  public static let height = 120.0

  /// The path's `d`: `M x y L x y …`, a new `M` after each gap; a lone point is a short stroke.
  public static func path(_ values: [Double?], capacity: Int, peak: Double) -> String {
    guard peak > 0, capacity > 1 else { return "" }
    let step = width / Double(capacity - 1)
    let offset = capacity - values.count
    var parts: [String] = []
    var run = 0
    for (index, value) in values.enumerated() {
      guard let value else {
        if run == 1 { parts.append("l 0.5 0") }
        run = 0
        continue
      }
      let x = Double(offset + index) * step
      let y = height - min(value, peak) / peak * height
      parts.append((run == 0 ? "M" : "L") + String(format: " %.1f %.1f", x, y))
      run += 1
    }
    if run == 1 { parts.append("l 0.5 0") }
    return parts.joined(separator: " ")
  }

  /// A round number at or above `peak`, the chart's top (10, 20, 50, 100, …).
  public static func scale(_ peak: Double) -> Double {
    guard peak > 0 else { return 10 }
    var unit = pow(10, floor(log10(peak)))
    for factor in [1.0, 2, 5, 10] where unit * factor >= peak {
      unit *= factor
      return unit
    }
    return unit * 10
  }
}
