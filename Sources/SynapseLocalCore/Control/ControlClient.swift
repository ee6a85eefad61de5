import Foundation
import SynapseLocalSystem

#if canImport(Glibc)
  import Glibc
#endif

/// A command's side of the control socket: one typed request, one typed reply.
public struct ControlClient: Sendable {
  /// The project's state folder (its run/control.sock) and the project, for messages.
  public var state: String
  public var project: String

  public init(state: String, project: String) {
    self.state = state
    self.project = project
  }

  /// The client of the project's supervisor (its state folder as synapse-local.yaml names it). A
  /// project file that does not read (a typo made while the stack runs) does not lock the user
  /// out: the state folder `up` recorded is used, and `projectFileProblem` says why.
  public init(project: String, context: Context) throws {
    do {
      let configuration = try ProjectFile.load(project: project, environment: context.environment, files: context.files)
      self.init(state: configuration.stateFolder(project: project, environment: context.environment), project: project)
    } catch {
      guard let recorded = StackStateRecord.recorded(project: project, files: context.files) else { throw error }
      self.init(state: recorded, project: project)
      projectFileProblem = "\(error)"
    }
  }

  /// Why the project file was not read, when the recorded state folder stood in for it.
  public private(set) var projectFileProblem: String?

  public var socketPath: String { ControlSocket.path(state: state) }

  /// Where the supervisor keeps its pid, socket and the last start's failure.
  public var runFolder: String { state + "/run" }

  /// Sends one request and waits up to `timeout` seconds for the reply; `notRunning` when no
  /// supervisor answers, a refusal as an error with its reason.
  public func send(_ request: ControlRequest, timeout: Double = 30) throws -> ControlReply {
    let reply = try exchange(request, timeout: timeout)
    if case .refused(let reason) = reply { throw ControlError.refused(reason) }
    return reply
  }

  /// The running stack's status.
  public func status(timeout: Double = 30) throws -> StackStatus {
    guard case .status(let status) = try send(.status, timeout: timeout) else { throw ControlError.noStatus }
    return status
  }

  /// Whether a supervisor answers for this state folder: nil when none does; its status when it
  /// answers; an error when something answers that this binary cannot talk to (another version),
  /// which is running too and must not be started over.
  public func runningStack(timeout: Double = 5) throws -> StackStatus? {
    do {
      return try status(timeout: timeout)
    } catch StackError.notRunning {
      return nil
    }
  }

  func exchange(_ request: ControlRequest, timeout: Double) throws -> ControlReply {
    guard let fd = try ControlSocket.connect(socketPath) else { throw StackError.notRunning(project: project) }
    defer { close(fd) }
    var limit = timeval(tv_sec: Int(timeout), tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    let data = try JSONEncoder().encode(ControlEnvelope(body: request)) + Data("\n".utf8)
    guard BlockingSocket.writeAll(fd, Array(data)[...]) else { throw ControlError.connectionClosed }
    shutdown(fd, Int32(SHUT_WR))
    var answer = Data()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = read(fd, &buffer, buffer.count)
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { break }
      answer.append(contentsOf: buffer[0..<n])
    }
    return try Self.reply(from: answer)
  }

  /// The reply's body, once its versions are known to match ours.
  static func reply(from answer: Data) throws -> ControlReply {
    guard let versions = try? JSONDecoder().decode(ControlVersions.self, from: answer) else {
      throw ControlError.noAnswer
    }
    guard versions.protocolVersion == ToolVersion.controlProtocol else {
      throw ControlError.versionMismatch(client: ControlVersions.mine, supervisor: versions.described)
    }
    guard let envelope = try? JSONDecoder().decode(ControlEnvelope<ControlReply>.self, from: answer), let reply = envelope.body else {
      throw versions.error.map(ControlError.refused) ?? ControlError.unreadableAnswer
    }
    return reply
  }
}
