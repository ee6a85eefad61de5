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
}
