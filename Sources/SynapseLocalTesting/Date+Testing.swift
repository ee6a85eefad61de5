import Foundation

extension Date {
  /// A fixed moment for values a test builds by hand (an install's time, a manifest's creation),
  /// so no test reads the real clock; `ManualClock` starts at it too.
  public static let testing = Date(timeIntervalSince1970: 1_800_000_000)
}
