import CProcessShims
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The small process between the supervisor and a service (`synapse-local keeper`, hidden): it
/// starts the service in a process group of its own and makes sure the whole group, grandchildren
/// included, ends when the service ends, when it is told to stop, and when the supervisor dies
/// (even by SIGKILL: the keeper sees its parent change within a tenth of a second).
///
/// Stop signals reach it through a self-pipe written by a process-wide handler (blocking them would
/// not do: a Swift process has threads that do not share the calling thread's mask).
public struct ProcessKeeper: Sendable {
  public var executable: String
  public var arguments: [String]
  /// Where the service's own pid goes, for `status` and for a later `up` after a machine crash.
  public var pidFile: String?
  /// The signal that asks the service to stop (PostgreSQL: SIGINT, its fast shutdown).
  public var stopSignal: Int32
  /// How long the group has between the stop signal and SIGKILL.
  public var graceSeconds: Double
  /// The supervisor's pid: if it is already gone when the keeper starts, the keeper's parent is
  /// not it, and the service must not start.
  public var expectedParent: pid_t?

  public init(
    executable: String, arguments: [String], pidFile: String?, stopSignal: Int32 = SIGTERM, graceSeconds: Double = 10,
    expectedParent: pid_t? = nil
  ) {
    self.expectedParent = expectedParent
    self.executable = executable
    self.arguments = arguments
    self.pidFile = pidFile
    self.stopSignal = stopSignal
    self.graceSeconds = graceSeconds
  }

  /// Runs the service to its end; returns the exit status to pass on (128 + signal when killed).
  public func run() -> Int32 {
    let parent = getppid()
    if let expectedParent, expectedParent != parent { return 128 + SIGKILL }
    // Orphaned grandchildren are re-parented here, so they can be reaped and never outlive us.
    _ = sl_set_child_subreaper()
    var pipeEnds: [Int32] = [0, 0]
    guard pipe(&pipeEnds) == 0, sl_install_stop_handlers(pipeEnds[1]) == 0 else {
      FileHandle.standardError.write(
        Data("synapse-local keeper: cannot install signal handlers: \(String(cString: strerror(errno)))\n".utf8))
      return 127
    }
    let stopRequests = pipeEnds[0]
    // Neither end may reach the service; the write end must never block the handler.
    for end in pipeEnds {
      _ = fcntl(end, F_SETFD, FD_CLOEXEC)
      _ = fcntl(end, F_SETFL, O_NONBLOCK)
    }

    guard let child = spawn() else {
      FileHandle.standardError.write(Data("synapse-local keeper: cannot start \(executable): \(String(cString: strerror(errno)))\n".utf8))
      return 127
    }
    // The start time makes the record exact: after a reboot the same pid may be someone else.
    if let pidFile { try? AtomicFile.write(Data(ProcessRecord.line(child, table: .live).utf8), to: pidFile) }
    defer { if let pidFile { unlink(pidFile) } }

    while true {
      var request = pollfd(fd: stopRequests, events: Int16(POLLIN), revents: 0)
      if poll(&request, 1, 100) > 0 {
        var byte: UInt8 = 0
        if read(stopRequests, &byte, 1) == 1 { return finish(stopGroup(child)) }
      }
      if let status = reap(child) {
        // The service is gone; anything it left behind in its group goes too.
        killGroup(child, SIGKILL)
        return finish(status)
      }
      if getppid() != parent {
        return finish(stopGroup(child))
      }
    }
  }

  /// Before the keeper ends: whatever left the group (setsid) but was re-parented here as its
  /// subreaper goes too.
  func finish(_ status: Int32) -> Int32 {
    let me = getpid()
    for _ in 0..<3 {
      var adopted = 0
      for pid in ProcessTable.live.children(of: me) {
        kill(pid, SIGKILL)
        adopted += 1
      }
      if adopted == 0 { break }
      usleep(50_000)
      _ = reap(-1)
    }
    return status
  }

  /// posix_spawn in a new process group, with default signal handling and an empty mask.
  func spawn() -> pid_t? {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    var defaults = sigset_t()
    sigfillset(&defaults)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setpgroup(&attributes, 0)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    let result =
      executable.contains("/")
      ? posix_spawn(&pid, executable, nil, &attributes, argv, environ)
      : posix_spawnp(&pid, executable, nil, &attributes, argv, environ)
    guard result == 0 else {
      errno = result
      return nil
    }
    return pid
  }

  /// The child's exit status once it has exited; other children (re-parented grandchildren) are
  /// reaped on the way.
  func reap(_ child: pid_t) -> Int32? {
    var found: Int32?
    while true {
      var status: Int32 = 0
      let pid = waitpid(-1, &status, WNOHANG)
      if pid <= 0 { return found }
      if pid == child { found = Self.exitCode(status) }
    }
  }

  static func exitCode(_ status: Int32) -> Int32 {
    let signal = status & 0x7f
    return signal == 0 ? (status >> 8) & 0xff : 128 + signal
  }

  /// The stop signal to the group (and SIGCONT, for a stopped service), SIGKILL after the grace
  /// period; returns the child's status.
  func stopGroup(_ child: pid_t) -> Int32 {
    killGroup(child, stopSignal)
    killGroup(child, SIGCONT)
    var status: Int32?
    let deadline = Date().addingTimeInterval(graceSeconds)
    while Date() < deadline {
      if let exited = reap(child) { status = exited }
      if status != nil && !groupAlive(child) { return status ?? 0 }
      usleep(50_000)
    }
    killGroup(child, SIGKILL)
    for _ in 0..<40 {
      if let exited = reap(child) { status = exited }
      if status != nil && !groupAlive(child) { break }
      usleep(50_000)
    }
    return status ?? 128 + SIGKILL
  }

  func killGroup(_ group: pid_t, _ signal: Int32) {
    _ = kill(-group, signal)
  }

  func groupAlive(_ group: pid_t) -> Bool {
    kill(-group, 0) == 0
  }
}
