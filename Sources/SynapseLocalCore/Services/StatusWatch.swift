import Foundation
import SynapseLocalSystem

/// `status --watch`: the stack's status redrawn in place, at most once a second, until the person
/// leaves. A stopped stack is shown as stopped and watched on, so the person sees it come up; a
/// status that cannot be read is said in the frame, and the watch goes on.
public struct StatusWatch: Sendable {
  public var context: Context
  /// Between two reads of the status.
  public var interval: Duration = .seconds(1)

  public init(context: Context) {
    self.context = context
  }

  /// Watches `project` until `keys` gives `.quit` or ends, or the task is cancelled.
  /// `read` is asked for the status at each frame; the first failure (no such project) is thrown.
  public func run(
    project: String, screen: any StatusScreen, keys: AsyncStream<WatchKey>,
    read: @escaping @Sendable (String) throws -> StackStatusReader.Answer
  ) async throws {
    let first = try read(project)
    let time = context.time
    let interval = interval
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask {
        var answer: StackStatusReader.Answer? = first
        var problem: String?
        var shown: [String] = []
        while !Task.isCancelled {
          let frame = StatusFrame.render(answer, problem: problem, width: screen.width, now: time.now)
          if frame != shown {
            screen.draw(frame)
            shown = frame
          }
          try await time.sleep(for: interval)
          do {
            answer = try read(project)
            problem = nil
          } catch {
            problem = "\(error)"
          }
        }
      }
      group.addTask {
        for await key in keys where key == .quit { return }
      }
      // Whichever ends first (a key, the end of the input, an error) ends the watch.
      try await group.next()
      group.cancelAll()
    }
  }
}
