import Foundation
import SynapseLocalSystem

/// The newest CUDA version a Linux driver supports, for `nvidia-smi` output that does not say.
/// Source: NVIDIA's CUDA Toolkit release notes, table "CUDA Toolkit and Minimum Required Driver
/// Version" (toolkit driver versions for Linux x86_64).
enum CUDADriverSupport {
  static let minimumDrivers: [(cuda: String, driver: [Int])] = [
    ("13.0", [580, 65, 6]), ("12.9", [575, 51, 3]), ("12.8", [570, 26]), ("12.6", [560, 28, 3]),
    ("12.5", [555, 42, 2]), ("12.4", [550, 54, 14]), ("12.3", [545, 23, 6]), ("12.2", [535, 54, 3]),
    ("12.1", [530, 30, 2]), ("12.0", [525, 60, 13]), ("11.8", [520, 61, 5]), ("11.7", [515, 43, 4]),
    ("11.6", [510, 39, 1]), ("11.5", [495, 29, 5]), ("11.4", [470, 42, 1]), ("11.3", [465, 19, 1]),
    ("11.2", [460, 27, 3]), ("11.1", [455, 23]), ("11.0", [450, 36, 6]), ("10.2", [440, 33]),
    ("10.1", [418, 39]), ("10.0", [410, 48]),
  ]

  static func cudaVersion(forDriver driver: String) -> String? {
    let parts = driver.split(separator: ".").compactMap { Int($0) }
    guard !parts.isEmpty else { return nil }
    return minimumDrivers.first { parts.lexicographicallyPrecedes($0.driver) == false }?.cuda
  }

  /// Compares dotted versions numerically: "12.10" is newer than "12.9".
  static func isAtLeast(_ version: String, _ minimum: String) -> Bool {
    let lhs = version.split(separator: ".").compactMap { Int($0) }
    let rhs = minimum.split(separator: ".").compactMap { Int($0) }
    return !lhs.lexicographicallyPrecedes(rhs)
  }
}
