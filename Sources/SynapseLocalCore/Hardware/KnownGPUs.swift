import Foundation
import SynapseLocalSystem

/// Compute capabilities by GPU name, for drivers older than 510 whose `nvidia-smi` rejects the
/// `compute_cap` query field. Source: NVIDIA's CUDA GPUs list (developer.nvidia.com/cuda-gpus).
enum KnownGPUs {
  static let computeCapabilities: [(name: String, capability: String)] = [
    ("K20", "3.5"), ("K40", "3.5"), ("K80", "3.7"), ("GTX 750", "5.0"), ("M40", "5.2"), ("M60", "5.2"),
    ("GTX 970", "5.2"), ("GTX 980", "5.2"), ("TITAN X", "5.2"), ("P100", "6.0"), ("P40", "6.1"), ("P4", "6.1"),
    ("GTX 1050", "6.1"), ("GTX 1060", "6.1"), ("GTX 1070", "6.1"), ("GTX 1080", "6.1"), ("TITAN XP", "6.1"),
    ("TITAN V", "7.0"), ("V100", "7.0"), ("T4", "7.5"), ("GTX 1650", "7.5"), ("GTX 1660", "7.5"),
    ("RTX 2060", "7.5"), ("RTX 2070", "7.5"), ("RTX 2080", "7.5"), ("TITAN RTX", "7.5"), ("QUADRO RTX", "7.5"),
    ("A100", "8.0"), ("A30", "8.0"), ("A2", "8.6"), ("A10", "8.6"), ("A10G", "8.6"), ("A16", "8.6"),
    ("A40", "8.6"), ("RTX 3050", "8.6"), ("RTX 3060", "8.6"), ("RTX 3070", "8.6"), ("RTX 3080", "8.6"),
    ("RTX 3090", "8.6"), ("RTX A2000", "8.6"), ("RTX A4000", "8.6"), ("RTX A4500", "8.6"),
    ("RTX A5000", "8.6"), ("RTX A6000", "8.6"), ("L4", "8.9"), ("L40", "8.9"), ("L40S", "8.9"),
    ("RTX 4060", "8.9"), ("RTX 4070", "8.9"), ("RTX 4080", "8.9"), ("RTX 4090", "8.9"),
    ("RTX 6000 ADA", "8.9"), ("H100", "9.0"), ("H200", "9.0"), ("GH200", "9.0"), ("B100", "10.0"),
    ("B200", "10.0"), ("RTX 5070", "12.0"), ("RTX 5080", "12.0"), ("RTX 5090", "12.0"),
  ]

  /// The capability of the longest table name found in `gpuName` as whole words, so "A10" does not
  /// match "A100".
  static func computeCapability(forName gpuName: String) -> String? {
    let name = gpuName.uppercased()
    let sorted = computeCapabilities.sorted { $0.name.count > $1.name.count }
    for entry in sorted where containsWord(name, entry.name) {
      return entry.capability
    }
    return nil
  }

  private static func containsWord(_ haystack: String, _ needle: String) -> Bool {
    var searchStart = haystack.startIndex
    while let range = haystack.range(of: needle, range: searchStart..<haystack.endIndex) {
      let before = range.lowerBound == haystack.startIndex ? nil : haystack[haystack.index(before: range.lowerBound)]
      let after = range.upperBound == haystack.endIndex ? nil : haystack[range.upperBound]
      let isBoundary = { (c: Character?) in c.map { !$0.isLetter && !$0.isNumber } ?? true }
      if isBoundary(before) && isBoundary(after) { return true }
      searchStart = range.upperBound
    }
    return false
  }
}
