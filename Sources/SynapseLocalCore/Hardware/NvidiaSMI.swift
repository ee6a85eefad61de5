import Foundation
import SynapseLocalSystem

/// NVIDIA GPUs as `nvidia-smi` reports them. Every failure mode of the probe (no binary, no driver
/// loaded, an old driver, a hung call) becomes "no GPU" or a GPU with unknowns, plus a warning.
public struct NvidiaSMI: Sendable {
  public struct Result: Sendable, Equatable {
    public var gpus: [GPUReport] = []
    public var cudaVersion: String?
    public var warnings: [String] = []
  }

  static let fieldsWithCapability = "index,name,memory.total,memory.free,compute_cap,driver_version"
  static let fieldsWithoutCapability = "index,name,memory.total,memory.free,driver_version"
  /// A driver in a bad state can make `nvidia-smi` hang; detection must still finish.
  public static let defaultTimeout: Duration = .seconds(15)

  public static func probe(_ context: Context, timeout: Duration = defaultTimeout) async -> Result {
    guard let binary = context.findExecutable("nvidia-smi") else { return Result() }
    var result = Result()
    do {
      var query = try await query(binary, fields: fieldsWithCapability, context, timeout: timeout)
      var hasCapability = true
      if query.status != 0 && mentionsInvalidField(query) {
        // Drivers before 510 do not know compute_cap; ask again without it.
        query = try await self.query(binary, fields: fieldsWithoutCapability, context, timeout: timeout)
        hasCapability = false
      }
      guard query.status == 0 else {
        let reason = firstLine(query.stdout + "\n" + query.stderr) ?? "exit status \(query.status)"
        result.warnings.append("nvidia-smi failed (\(reason)); treating this machine as having no NVIDIA GPU")
        return result
      }
      (result.gpus, result.warnings) = parse(query.stdout, hasCapability: hasCapability)
      if !result.gpus.isEmpty {
        let summary = try? await context.processes.run(binary, [], timeout: timeout)
        result.cudaVersion =
          summary.flatMap { cudaVersion(inSummary: $0.stdout) }
          ?? result.gpus.first.flatMap { CUDADriverSupport.cudaVersion(forDriver: $0.driverVersion) }
      }
    } catch {
      result.warnings.append("nvidia-smi could not be run (\(error)); treating this machine as having no NVIDIA GPU")
    }
    return result
  }

  static func query(_ binary: String, fields: String, _ context: Context, timeout: Duration) async throws -> ProcessResult {
    try await context.processes.run(
      binary, ["--query-gpu=\(fields)", "--format=csv,noheader,nounits"], timeout: timeout)
  }

  static func mentionsInvalidField(_ result: ProcessResult) -> Bool {
    let text = (result.stdout + result.stderr).lowercased()
    return text.contains("not a valid field") || text.contains("compute_cap")
  }

  /// Parses `--format=csv,noheader,nounits` rows; memory is in MiB.
  static func parse(_ csv: String, hasCapability: Bool) -> ([GPUReport], [String]) {
    var gpus: [GPUReport] = []
    var warnings: [String] = []
    let expected = hasCapability ? 6 : 5
    for line in csv.split(separator: "\n") {
      var fields = line.components(separatedBy: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      guard !fields.allSatisfy(\.isEmpty) else { continue }
      if fields.count > expected {  // a name holding a comma
        let extra = fields.count - expected
        fields[1] = fields[1...(1 + extra)].joined(separator: ", ")
        fields.removeSubrange(2...(1 + extra))
      }
      guard fields.count == expected, let index = Int(fields[0]) else {
        warnings.append("ignored an nvidia-smi line it could not read: \(line)")
        continue
      }
      let name = fields[1]
      let total = mebibytes(fields[2])
      let free = mebibytes(fields[3])
      if total == nil { warnings.append("GPU \(index) (\(name)): nvidia-smi does not report its memory") }
      if total != nil && free == nil {
        warnings.append("GPU \(index) (\(name)): nvidia-smi does not report its free memory; planning as if none were free")
      }
      var capability = hasCapability ? validCapability(fields[4]) : nil
      var source: String? = capability == nil ? nil : "nvidia-smi"
      if capability == nil, let known = KnownGPUs.computeCapability(forName: name) {
        capability = known
        source = "known-gpu table"
      }
      if capability == nil {
        warnings.append(
          "GPU \(index) (\(name)): compute capability unknown (driver too old to report it, and not in the table of known GPUs)")
      }
      gpus.append(
        GPUReport(
          index: index, name: name, memoryTotalBytes: total ?? 0, memoryFreeBytes: free ?? 0,
          computeCapability: capability, computeCapabilitySource: source,
          driverVersion: fields[expected - 1]))
    }
    return (gpus, warnings)
  }

  /// MiB to bytes; nil for "[N/A]", "[Not Supported]" and values no GPU has (256 TiB or more).
  static func mebibytes(_ field: String) -> UInt64? {
    guard let value = UInt64(field), value < 1 << 28 else { return nil }
    return value * 1_048_576
  }

  static func validCapability(_ field: String) -> String? {
    let parts = field.split(separator: ".")
    return parts.count == 2 && parts.allSatisfy({ Int($0) != nil }) ? field : nil
  }

  /// The "CUDA Version: 12.4" of the plain `nvidia-smi` banner.
  static func cudaVersion(inSummary text: String) -> String? {
    guard let range = text.range(of: "CUDA Version:") else { return nil }
    let version = text[range.upperBound...].drop { $0 == " " }.prefix { $0.isNumber || $0 == "." }
    return version.isEmpty ? nil : String(version)
  }

  static func firstLine(_ text: String) -> String? {
    text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty }
  }
}
