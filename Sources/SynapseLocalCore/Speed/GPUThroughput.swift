/// Memory bandwidth and dense 16-bit throughput of NVIDIA GPUs, from NVIDIA's data sheets, for
/// predicting speeds where nothing was measured. A GPU not listed gets the conservative fallback.
enum GPUThroughput {
  /// (name as nvidia-smi reports it, GB/s, dense FP16 tensor TFLOPS)
  static let table: [(name: String, gigabytesPerSecond: Double, teraflops: Double)] = [
    ("H200", 4800, 990), ("H100", 3350, 990), ("A100", 1935, 312), ("L40S", 864, 362), ("L40", 864, 181), ("L4", 300, 121),
    ("A10G", 600, 125), ("A10", 600, 125), ("A6000", 768, 155), ("V100", 900, 125), ("T4", 320, 65),
    ("RTX 5090", 1792, 210), ("RTX 4090", 1008, 165), ("RTX 4080", 717, 97), ("RTX 4070", 504, 58),
    ("RTX 3090", 936, 71), ("RTX 3080", 760, 60), ("RTX 3060", 360, 25),
  ]
  static let fallback = (gigabytesPerSecond: 300.0, teraflops: 30.0)
  /// Shares of the data-sheet figures an engine reaches in token generation and prompt processing.
  static let bandwidthEfficiency = 0.7
  static let computeEfficiency = 0.4

  static func of(_ name: String) -> (bytesPerSecond: Double, operationsPerSecond: Double) {
    let upper = name.uppercased()
    let entry = table.sorted { $0.name.count > $1.name.count }.first { upper.contains($0.name) }
    let figures = entry.map { ($0.gigabytesPerSecond, $0.teraflops) } ?? (fallback.gigabytesPerSecond, fallback.teraflops)
    return (figures.0 * 1e9 * bandwidthEfficiency, figures.1 * 1e12 * computeEfficiency)
  }
}
