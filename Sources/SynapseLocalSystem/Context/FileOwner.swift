import Foundation

/// Who owns a file: the user and group ids `stat` reports and `chown` sets.
public struct FileOwner: Sendable, Equatable {
  public var user: uid_t
  public var group: gid_t

  public init(user: uid_t, group: gid_t) {
    self.user = user
    self.group = group
  }
}
