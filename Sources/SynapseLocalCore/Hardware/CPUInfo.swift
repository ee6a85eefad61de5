import Foundation
import SynapseLocalSystem

/// `/proc/cpuinfo`: model, logical and physical cores, and the SIMD features llama.cpp cares about.
public struct CPUInfo: Sendable, Equatable {
  public var model: String
  public var logicalCores: Int
  public var physicalCores: Int
  public var arch: String?
  public var features: [String]

  /// x86 flag names, mapped to how llama.cpp's system info spells them.
  static let x86Features: [(flag: String, name: String)] = [
    ("pni", "sse3"), ("ssse3", "ssse3"), ("avx", "avx"), ("avx2", "avx2"), ("f16c", "f16c"),
    ("fma", "fma"), ("avx_vnni", "avx_vnni"), ("avx512f", "avx512f"), ("avx512bw", "avx512bw"),
    ("avx512vl", "avx512vl"), ("avx512vbmi", "avx512_vbmi"), ("avx512_vnni", "avx512_vnni"),
    ("avx512_bf16", "avx512_bf16"), ("amx_tile", "amx_tile"), ("amx_int8", "amx_int8"),
    ("amx_bf16", "amx_bf16"),
  ]
  /// arm64 `Features` names, mapped the same way.
  static let armFeatures: [(flag: String, name: String)] = [
    ("asimd", "neon"), ("asimdhp", "fp16_va"), ("asimddp", "dotprod"), ("i8mm", "i8mm"),
    ("sve", "sve"), ("sve2", "sve2"), ("sme", "sme"),
  ]

  public static func parse(_ text: String) throws(HardwareError) -> CPUInfo {
    var processors = 0
    var model: String?
    var armPart: String?
    var flags: Set<Substring> = []
    var armFlags: Set<Substring> = []
    var cores: Set<String> = []
    var physical = "0"
    for line in text.split(separator: "\n") {
      let parts = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
      let key = parts[0].trimmingCharacters(in: .whitespaces)
      let value = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
      switch key {
      case "processor": processors += 1
      case "model name", "Model Name": model = model ?? value
      case "Hardware": model = model ?? value
      case "CPU part": armPart = armPart ?? value
      case "flags": flags.formUnion(value.split(separator: " "))
      case "Features": armFlags.formUnion(value.split(separator: " "))
      case "physical id": physical = value
      case "core id": cores.insert("\(physical)/\(value)")
      default: break
      }
    }
    guard processors > 0 else {
      throw .unreadable(file: "/proc/cpuinfo", reason: "it lists no processor")
    }
    let arch: String? =
      !flags.isEmpty ? (flags.contains("lm") ? "x86_64" : "x86") : armFlags.contains("asimd") ? "aarch64" : nil
    let features =
      x86Features.filter { flags.contains(Substring($0.flag)) }.map(\.name)
      + armFeatures.filter { armFlags.contains(Substring($0.flag)) }.map(\.name)
    let physicalCores = cores.isEmpty ? processors : min(cores.count, processors)
    return CPUInfo(
      model: model ?? armPart.map { "ARM CPU part \($0)" } ?? "unknown",
      logicalCores: processors, physicalCores: physicalCores, arch: arch, features: features)
  }
}
