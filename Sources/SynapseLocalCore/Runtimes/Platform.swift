import Foundation
import SynapseLocalSystem

/// The platforms runtimes are built for, named as the commands and bundles name them.
public enum Platform: String, Codable, Sendable, CaseIterable {
  case linuxX64 = "linux-x86_64"
  case linuxArm64 = "linux-aarch64"
  case macosArm64 = "macos-arm64"

  /// This machine's, from the OS and the CPU architecture `detect` reports (`uname -m`'s names).
  public static func of(os: String, arch: String) -> Platform? {
    switch (os, arch) {
    case ("linux", "x86_64"), ("linux", "amd64"): .linuxX64
    case ("linux", "aarch64"), ("linux", "arm64"): .linuxArm64
    case ("macos", "arm64"), ("darwin", "arm64"): .macosArm64
    default: nil
    }
  }

  /// The machine this runs on.
  public static func current() throws -> Platform {
    var name = utsname()
    uname(&name)
    let machine = withUnsafeBytes(of: &name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    #if os(macOS)
      let os = "macos"
    #else
      let os = "linux"
    #endif
    guard let platform = Platform.of(os: os, arch: machine) else { throw RuntimeError.unsupportedPlatform("\(os) on \(machine)") }
    return platform
  }
}
