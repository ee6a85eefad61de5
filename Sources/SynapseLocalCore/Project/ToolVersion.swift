/// This build's version, and the version of the control protocol it speaks: a client and a
/// supervisor must speak the same one.
public enum ToolVersion {
  public static let current = "0.2.0"
  /// 1: untyped JSON commands (0.1.x). 2: typed requests and replies in a versioned envelope.
  public static let controlProtocol = 2
}
