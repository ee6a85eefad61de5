/// A problem with what the user typed that is only found while running; printed as one line.
struct UsageProblem: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
