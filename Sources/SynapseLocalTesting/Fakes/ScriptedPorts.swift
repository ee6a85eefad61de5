import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import Testing

/// Ports as a test tells them: which are taken and by whom, which are free, and the free ports to
/// hand out in order. A port it was not told about, or a free port asked for when none is left,
/// is a test failure; nothing is bound.
public final class ScriptedPorts: Ports, @unchecked Sendable {
  private let lock = NSLock()
  private var taken: [Int: String]
  private var free: Set<Int>
  private var handOut: [Int]

  /// `taken`: each held port's owner ("" when unknown); `free`: ports nobody holds; `handOut`:
  /// what `freePort` returns, one each call.
  public init(taken: [Int: String] = [:], free: Set<Int> = [], handOut: [Int] = []) {
    self.taken = taken
    self.free = free
    self.handOut = handOut
  }

  public func freePort() throws -> Int {
    guard let port = lock.withLock({ handOut.isEmpty ? nil : handOut.removeFirst() }) else {
      Issue.record("a free port was asked for and ScriptedPorts has none left to hand out")
      throw FakeRefusal.noFreePort
    }
    return port
  }

  public func owner(of port: Int) -> String? {
    let answer: String?? = lock.withLock {
      if let owner = taken[port] { return .some(owner) }
      return free.contains(port) ? .some(nil) : nil
    }
    guard let answer else {
      Issue.record("unexpected question about port \(port): ScriptedPorts was told neither that it is free nor who holds it")
      return nil
    }
    return answer
  }
}
