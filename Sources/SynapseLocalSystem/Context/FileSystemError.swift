import Foundation

/// A file-system failure as one sentence: what could not be done to which path, and why. Foundation's
/// own errors (`Error Domain=NSCocoaErrorDomain Code=512 …`) never reach the user.
public struct FileSystemError: Error, Equatable, CustomStringConvertible {
  public var action: String
  public var path: String
  public var reason: String

  public var description: String { "cannot \(action) \(path): \(reason)" }

  public init(action: String, path: String, reason: String) {
    self.action = action
    self.path = path
    self.reason = reason
  }

  /// The last system call's failure (errno), said about `path`.
  static func errno(_ action: String, _ path: String) -> FileSystemError {
    FileSystemError(action: action, path: path, reason: String(cString: strerror(Foundation.errno)))
  }

  /// Runs `body`, turning what it throws into one sentence about `path`.
  static func wrapping<T>(_ action: String, _ path: String, _ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let error as FileSystemError {
      throw error
    } catch {
      throw FileSystemError(action: action, path: path, reason: reason(error, path: path))
    }
  }

  /// The cause: a part of the path that is a file, a folder we may not write, else the system's
  /// own words (errno's, when Foundation carries it).
  static func reason(_ error: any Error, path: String) -> String {
    let manager = FileManager.default
    var ancestor = (path as NSString).deletingLastPathComponent
    while !ancestor.isEmpty && ancestor != "/" && !manager.fileExists(atPath: ancestor) {
      ancestor = (ancestor as NSString).deletingLastPathComponent
    }
    var isFolder: ObjCBool = false
    if !ancestor.isEmpty, manager.fileExists(atPath: ancestor, isDirectory: &isFolder), !isFolder.boolValue {
      return "\(ancestor) is a file, not a folder"
    }
    if !ancestor.isEmpty, isFolder.boolValue, !manager.isWritableFile(atPath: ancestor) {
      return "no permission to write in \(ancestor)"
    }
    let error = error as NSError
    if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
      return String(cString: strerror(Int32(underlying.code)))
    }
    if error.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(error.code))) }
    return error.localizedDescription.split(separator: "\n").first.map(String.init) ?? "error \(error.code)"
  }
}
