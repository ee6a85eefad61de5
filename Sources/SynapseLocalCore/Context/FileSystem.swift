import Foundation

/// Read access to files, rooted so that `/proc` and `/sys` can be fixture folders in tests.
public protocol FileSystem: Sendable {
  /// The file's contents as text, or nil when it does not exist or cannot be read.
  func readText(_ path: String) -> String?
  func exists(_ path: String) -> Bool
  func isExecutable(_ path: String) -> Bool
  /// Free bytes on the file system holding `path` (or its nearest existing ancestor).
  func freeBytes(at path: String) -> UInt64?
}
