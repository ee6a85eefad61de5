import Foundation

/// How `FileSystem.open` treats what is already there.
public enum OpenMode: Sendable, Equatable {
  /// Reading only; the file must exist.
  case read
  /// Reading and writing; created when missing, its bytes kept (a resumed download).
  case update
  /// Writing from empty; created when missing.
  case truncate
  /// Writing a file that must not exist yet (O_EXCL): never someone else's file.
  case createNew
}
