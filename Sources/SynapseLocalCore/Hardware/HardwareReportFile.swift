import Foundation
import SynapseLocalSystem

/// Reading a `detect --json` file from another machine (`recommend --hardware FILE`). Hand-written
/// or damaged files are checked for sense before any arithmetic sees their numbers.
extension HardwareReport {
  public static func load(path: String, files: any FileSystem) throws(HardwareError) -> HardwareReport {
    guard let data = files.contents(path) else {
      throw .badHardwareFile(path: path, reason: "it cannot be read")
    }
    let report: HardwareReport
    do {
      report = try JSONDecoder().decode(HardwareReport.self, from: data)
    } catch let DecodingError.keyNotFound(key, context) {
      let field = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
      throw .badHardwareFile(path: path, reason: "it has no \(field)")
    } catch let DecodingError.typeMismatch(_, context) {
      throw .badHardwareFile(path: path, reason: "\(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type")
    } catch let DecodingError.valueNotFound(_, context) {
      throw .badHardwareFile(path: path, reason: "\(context.codingPath.map(\.stringValue).joined(separator: ".")) is null")
    } catch {
      throw .badHardwareFile(path: path, reason: "it is not valid JSON")
    }
    if let problem = report.implausibility { throw .badHardwareFile(path: path, reason: problem) }
    return report
  }

  /// The first value no real machine has, named by its JSON path; nil when all make sense.
  public var implausibility: String? {
    let maxMemory: UInt64 = 1 << 56  // 64 PiB
    let maxCores = 1 << 20
    if memory.totalBytes == 0 || memory.totalBytes > maxMemory { return "memory.total_bytes \(memory.totalBytes) is not a memory size" }
    if memory.availableBytes > maxMemory { return "memory.available_bytes \(memory.availableBytes) is not a memory size" }
    if let limit = memory.limitBytes, limit > maxMemory { return "memory.limit_bytes \(limit) is not a memory size" }
    if memory.effectiveBytes > maxMemory { return "memory.effective_bytes \(memory.effectiveBytes) is not a memory size" }
    if !(1...maxCores).contains(cpu.logicalCores) { return "cpu.logical_cores \(cpu.logicalCores) is not a core count" }
    if !(1...maxCores).contains(cpu.physicalCores) { return "cpu.physical_cores \(cpu.physicalCores) is not a core count" }
    if !(1...maxCores).contains(cpu.effectiveCores) { return "cpu.effective_cores \(cpu.effectiveCores) is not a core count" }
    if let quota = cpu.quotaCores, !(quota > 0 && quota <= Double(maxCores)) { return "cpu.quota_cores \(quota) is not a CPU quota" }
    if let cpuset = cpu.cpusetCores, !(1...maxCores).contains(cpuset) { return "cpu.cpuset_cores \(cpuset) is not a CPU count" }
    if gpus.count > 1024 { return "gpus lists \(gpus.count) GPUs" }
    for (i, gpu) in gpus.enumerated() {
      if gpu.memoryTotalBytes > 1 << 48 { return "gpus[\(i)].memory_total_bytes \(gpu.memoryTotalBytes) is not a GPU memory size" }
      if gpu.memoryFreeBytes > gpu.memoryTotalBytes { return "gpus[\(i)].memory_free_bytes is more than its memory_total_bytes" }
    }
    return nil
  }
}
