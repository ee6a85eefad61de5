import CProcessShims
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Starts a process that outlives us (`up -d`'s supervisor): a new session, stdin from /dev/null,
/// stdout and stderr appended to a log file, and a pipe on descriptor 3 for its startup events,
/// announced to it in the environment variable `startupVariable`.
public enum DetachedProcess {
  /// The child's pid, and the read end of its startup pipe.
  public static func spawn(
    _ executable: String, _ arguments: [String], log: String, startupVariable: String
  ) throws -> (pid: pid_t, startup: Int32) {
    var ends: [Int32] = [0, 0]
    guard pipe(&ends) == 0 else { throw SystemCallError.errno("create a pipe") }
    // Neither end may stay open in the child but as descriptor 3 (dup2 clears the flag there):
    // a second write end would keep the pipe from ending when the supervisor closes its own.
    _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
    _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    posix_spawn_file_actions_adddup2(&actions, ends[1], 3)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    posix_spawnattr_setflags(&attributes, sl_posix_spawn_setsid_flag())
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var environment = ProcessInfo.processInfo.environment
    environment[startupVariable] = "3"
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { for pointer in envp { free(pointer) } }
    var pid: pid_t = 0
    let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
    close(ends[1])
    guard result == 0 else {
      close(ends[0])
      throw SystemCallError(action: "start the supervisor", reason: String(cString: strerror(result)))
    }
    return (pid, ends[0])
  }

  /// This program's own path (for running itself as the supervisor and as keepers).
  public static var ownExecutable: String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
  }
}
