import SynapseLocalSystem

extension ControlClient {
  /// The client of the project's supervisor as a command opens it. When the project file does not
  /// read and the state folder `up` recorded stands in, says so on the context's output and goes
  /// on: a typo never locks the user out of a running stack.
  public static func opened(project: String, context: Context) throws -> ControlClient {
    let client = try ControlClient(project: project, context: context)
    if let problem = client.projectFileProblem {
      let first = problem.split(separator: "\n").first.map(String.init) ?? problem
      context.output.warning(
        "the project file does not read (\(first)); using the stack's recorded state. Fix the file before the next `up`")
    }
    return client
  }
}
