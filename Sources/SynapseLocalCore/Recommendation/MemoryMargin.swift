import SynapseLocalSystem

/// The one safety margin every memory decision keeps free (the recommendation, `up`'s preflight,
/// a swap's mode): a tenth of the memory at hand, and never less than 512 MiB.
public enum MemoryMargin {
  public static let minimumBytes: UInt64 = 512 * ByteCount.mebibyte

  /// The margin kept out of `total`.
  public static func of(_ total: UInt64) -> UInt64 { max(minimumBytes, total / 10) }

  /// What is left of `total` once the margin is kept.
  public static func usable(_ total: UInt64) -> UInt64 { total - min(total, of(total)) }

  /// The least total whose usable part holds `needed` (the rule inverted, for "needs at least").
  public static func totalNeeded(forUsable needed: UInt64) -> UInt64 { max(needed + minimumBytes, needed * 10 / 9) }
}
