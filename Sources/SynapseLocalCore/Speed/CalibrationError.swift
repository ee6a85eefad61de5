/// A calibration that measured something, but something that cannot be trusted.
public enum CalibrationError: Error, Equatable, CustomStringConvertible {
  /// The bandwidth probe and the engine run contradict each other; the message says by how much.
  case disagrees(String)

  public var description: String {
    switch self {
    case .disagrees(let message): message
    }
  }
}
