import Foundation
import SynapseLocalSystem

/// The five services of the stack, in start order.
public enum ServiceName: String, Codable, Sendable, CaseIterable, Comparable {
  case db, llm, embedding, backend, frontend

  /// What must be healthy before this one starts.
  public var dependencies: [ServiceName] {
    switch self {
    case .db: []
    case .llm, .embedding: [.db]
    case .backend: [.db, .llm, .embedding]
    case .frontend: [.backend]
    }
  }

  public static func < (a: ServiceName, b: ServiceName) -> Bool {
    allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
  }
}
