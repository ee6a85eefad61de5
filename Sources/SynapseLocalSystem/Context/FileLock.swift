import Foundation

/// An exclusive advisory lock (`flock`) held until released; releasing twice is harmless, and a
/// lock is released when it is freed.
public protocol FileLock: AnyObject, Sendable {
  func release()
}
