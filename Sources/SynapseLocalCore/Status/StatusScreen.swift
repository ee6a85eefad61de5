/// Where `status --watch` draws: a terminal redrawn in place, or a stream that gets each new
/// frame after the last (not a terminal). The CLI gives the real one; tests record the frames.
public protocol StatusScreen: Sendable {
  /// Columns available now (a terminal's width changes while it is watched).
  var width: Int { get }
  /// Shows `lines` in place of the last frame.
  func draw(_ lines: [String])
}

/// What the person watching can press.
public enum WatchKey: Sendable, Equatable {
  /// `q`, `Q`, Ctrl-C or Ctrl-D (or the end of the input): leave.
  case quit
  /// Any other key: nothing, for now.
  case other
}
