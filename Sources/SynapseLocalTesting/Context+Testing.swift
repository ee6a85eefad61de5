import Foundation
import SynapseLocalCore
import SynapseLocalSystem

extension Context {
  /// A context for a unit test: each effect it does not name is a fake that fails the test when
  /// used (a file system with no folders, a clock that moves only when told, a launcher that
  /// refuses launches, ports and HTTP with no answers), so nothing reaches the real world unless
  /// the test passes a real effect itself.
  public static func testing(
    system: any FileSystem = MemoryFileSystem(roots: []), environment: [String: String] = [:],
    processes: any ProcessRunner = StubProcessRunner(), files: any FileSystem = MemoryFileSystem(roots: []),
    time: any TimeSource = ManualClock(), launcher: (any ProcessLauncher)? = nil,
    ports: any Ports = ScriptedPorts(), http: any HTTPTransport = ScriptedHTTP(), output: any OutputSink = SilentOutput(),
    workingDirectory: String = "/"
  ) -> Context {
    Context(
      system: system, environment: environment, processes: processes, files: files, time: time, launcher: launcher ?? refusingLauncher(),
      ports: ports, http: http, output: output, workingDirectory: workingDirectory)
  }

  private static func refusingLauncher() -> ScriptedLauncher {
    let launcher = ScriptedLauncher(files: MemoryFileSystem(roots: []))
    launcher.refusesLaunches = true
    return launcher
  }
}
