/// Why an export could not be written; one line each, saying what to do.
public enum ExportError: Error, Equatable, CustomStringConvertible {
  case noSystemd(String)
  case badInput(String)
  /// A malformed option value (`--replicas`, `--namespace`, `--image`…), naming the option.
  case badOption(String)
  /// Something the export needs that the project lacks.
  case missing(String)
  /// An option this project needs and the command line lacks: a usage error (exit 64).
  case missingOption(String)

  public var description: String {
    switch self {
    case .noSystemd(let message), .badInput(let message), .badOption(let message), .missing(let message), .missingOption(let message):
      message
    }
  }
}
