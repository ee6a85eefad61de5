import Foundation

/// The real ports for the two callers not given a context's `ports` yet (`EngineTrial`,
/// `StackAssembly+Swap`: other parts of issue 37 change them). Everything else asks `ctx.ports`.
public enum PortProbe {
  public static func freePort() throws -> Int {
    try LoopbackPorts(table: ProcessTable(system: RootedFileSystem())).freePort()
  }
}
