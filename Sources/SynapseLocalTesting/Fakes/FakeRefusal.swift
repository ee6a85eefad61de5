/// What a fake throws when it is asked for something it was not told to give (the test issue is
/// recorded first; this only ends the call).
public enum FakeRefusal: Error, Equatable, CustomStringConvertible {
  /// `ScriptedPorts` has handed out every free port it was given.
  case noFreePort
  /// `ScriptedLauncher` was told to refuse launches.
  case launchRefused

  public var description: String {
    switch self {
    case .noFreePort: "ScriptedPorts has no free port to hand out"
    case .launchRefused: "launch refused by the test"
    }
  }
}
