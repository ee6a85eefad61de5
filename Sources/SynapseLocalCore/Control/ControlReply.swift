/// What the supervisor answers.
public enum ControlReply: Codable, Sendable, Equatable {
  case status(StackStatus)
  /// The command was accepted (down, restart).
  case done
  case swapPlan(SwapPlan)
  /// The swap is done, and synapse-local.yaml and the generated files name the new model.
  case swapped(SwapReport, plan: SwapPlan)
  /// Refused or failed, with the reason in one message.
  case refused(String)
}
