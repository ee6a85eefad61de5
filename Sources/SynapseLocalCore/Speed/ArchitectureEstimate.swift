/// The figures the speed model uses where this machine has no calibration, per CPU architecture;
/// docs/recommendation.md lists them. They are deliberately modest: a user told "about 8 tok/s"
/// who gets 12 is pleased; the reverse is a broken chat.
enum ArchitectureEstimate {
  struct Figures {
    /// Read bandwidth one thread reaches, and the most all threads together reach.
    var bytesPerSecondPerThread: Double
    var bytesPerSecondCeiling: Double
    /// Prompt multiply-adds per second per thread, without repacked kernels.
    var operationsPerSecondPerThread: Double
    var perTokenOverheadSeconds: Double
  }

  static func figures(for hardware: HardwareReport) -> Figures {
    let cpu = hardware.cpu
    switch (hardware.os, cpu.arch) {
    case ("darwin", "arm64"), ("darwin", "aarch64"):
      // Apple Silicon: unified memory; llama.cpp runs on Metal, so threads matter little.
      return Figures(
        bytesPerSecondPerThread: 60e9, bytesPerSecondCeiling: 100e9, operationsPerSecondPerThread: 400e9,
        perTokenOverheadSeconds: 0.004)
    case (_, "aarch64"), (_, "arm64"):
      return Figures(
        bytesPerSecondPerThread: 8e9, bytesPerSecondCeiling: 60e9, operationsPerSecondPerThread: 20e9,
        perTokenOverheadSeconds: 0.005)
    default:
      let wide = cpu.features.contains("avx512f")
      return Figures(
        bytesPerSecondPerThread: 9e9, bytesPerSecondCeiling: 40e9, operationsPerSecondPerThread: wide ? 40e9 : 25e9,
        perTokenOverheadSeconds: 0.005)
    }
  }
}
