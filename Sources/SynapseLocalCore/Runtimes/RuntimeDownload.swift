import Foundation
import SynapseLocalSystem

/// What a Python runtime's install brings, said before it starts: PyPI's Linux torch pulls in
/// NVIDIA's CUDA libraries, and the embedding runtime of a CPU-only plan once grew to 6 GB
/// without a word. From a wheelhouse the figure is the wheels' own bytes; from PyPI, the packages
/// the requirement file names.
public struct RuntimeDownload: Sendable, Equatable {
  /// Requirements (for the platform's markers, or all of them).
  public var packages: Int
  /// The GPU-only packages among them: NVIDIA's (`nvidia-*`, `cuda-*`) and triton.
  public var gpuPackages: Int
  /// From a wheelhouse: the matching wheels' bytes, and the GPU-only packages' share.
  public var bytes: UInt64?
  public var gpuBytes: UInt64?

  public static func isGPUOnly(_ name: String) -> Bool { name.hasPrefix("nvidia-") || name.hasPrefix("cuda-") || name == "triton" }

  /// The install of `lines` (requirement lines), with `wheelhouse` when it comes from one.
  public static func of(_ lines: [String], wheelhouse: String?, files: any FileSystem) -> RuntimeDownload {
    let names = lines.map(RequirementSet.name(of:))
    var download = RuntimeDownload(packages: names.count, gpuPackages: names.filter(isGPUOnly).count)
    guard let wheelhouse, let entries = files.list(wheelhouse) else { return download }
    // A wheel's name is `{distribution}-{version}-…`: matched on the normalised name and version.
    var wanted: [String: Bool] = [:]
    for line in lines {
      guard let range = line.range(of: "==") else { continue }
      let version = line[range.upperBound...].prefix { !$0.isWhitespace && $0 != ";" }
      let name = RequirementSet.name(of: line)
      wanted["\(name)==\(version)"] = isGPUOnly(name)
    }
    var total: UInt64 = 0
    var gpu: UInt64 = 0
    for entry in entries where entry.hasSuffix(".whl") {
      let parts = entry.split(separator: "-", maxSplits: 2)
      guard parts.count == 3, let gpuOnly = wanted["\(RequirementSet.name(of: String(parts[0])))==\(parts[1])"] else { continue }
      let size = files.size(wheelhouse + "/" + entry) ?? 0
      total += size
      if gpuOnly { gpu += size }
    }
    download.bytes = total
    download.gpuBytes = gpu
    return download
  }

  /// "52 packages, 2.9 GiB of wheels (2.6 GiB of them NVIDIA's CUDA libraries, for a GPU)".
  public var summary: String {
    var text = "\(packages) package\(packages == 1 ? "" : "s")"
    if let bytes { text += ", \(ByteCount.format(bytes)) of wheels" }
    if gpuPackages > 0 {
      text +=
        gpuBytes.map { " (\(ByteCount.format($0)) of them NVIDIA's CUDA libraries, used only on an NVIDIA GPU)" }
        ?? " (\(gpuPackages) of them NVIDIA's CUDA libraries for PyTorch, several GiB, used only on an NVIDIA GPU)"
    }
    return text
  }
}
