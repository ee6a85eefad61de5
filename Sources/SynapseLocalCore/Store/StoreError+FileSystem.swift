import Foundation
import SynapseLocalSystem

/// The store's own sentences for a file-system failure, whichever `FileSystem` it came from: what
/// the user reads stays "cannot read/write PATH: REASON", with its advice.
extension StoreError {
  static func reading<T>(_ path: String, _ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let error as FileSystemError {
      throw StoreError.unreadable(path: path, reason: error.reason)
    }
  }

  static func writing<T>(_ path: String, _ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let error as FileSystemError {
      throw StoreError.unwritable(path: path, reason: error.reason)
    }
  }
}
