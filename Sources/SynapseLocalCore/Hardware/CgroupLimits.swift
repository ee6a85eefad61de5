import Foundation
import SynapseLocalSystem

/// The limits a container (cgroup v2 or v1) puts on this process: memory, CPU quota and cpuset.
public struct CgroupLimits: Sendable, Equatable {
  public var memoryLimitBytes: UInt64?
  public var memoryUsageBytes: UInt64?
  public var memorySource: String?
  public var cpuQuotaCores: Double?
  public var cpusetCores: Int?

  public init(
    memoryLimitBytes: UInt64? = nil, memoryUsageBytes: UInt64? = nil, memorySource: String? = nil,
    cpuQuotaCores: Double? = nil, cpusetCores: Int? = nil
  ) {
    self.memoryLimitBytes = memoryLimitBytes
    self.memoryUsageBytes = memoryUsageBytes
    self.memorySource = memorySource
    self.cpuQuotaCores = cpuQuotaCores
    self.cpusetCores = cpusetCores
  }

  /// Reads the limits through `system`, walking from this process's cgroup up to the root and
  /// keeping the tightest value, since a parent's limit binds its children too.
  public static func read(from system: any FileSystem) -> CgroupLimits {
    let membership = system.readText("/proc/self/cgroup") ?? ""
    if system.exists("/sys/fs/cgroup/cgroup.controllers") {
      return readV2(system, path: path(in: membership, controller: nil) ?? "/")
    }
    return readV1(system, membership: membership)
  }

  /// The cgroup path for a v1 controller, or the v2 (`0::`) path when `controller` is nil.
  static func path(in membership: String, controller: String?) -> String? {
    for line in membership.split(separator: "\n") {
      let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
      guard fields.count == 3 else { continue }
      if let controller {
        if fields[1].split(separator: ",").contains(Substring(controller)) { return String(fields[2]) }
      } else if fields[0] == "0" && fields[1].isEmpty {
        return String(fields[2])
      }
    }
    return nil
  }

  /// The folders from the cgroup's own up to the mount's root. Inside a cgroup namespace the
  /// path may not exist under the mount; then only the root is read.
  static func folders(mount: String, path: String, system: any FileSystem) -> [String] {
    var result: [String] = []
    var components = path.split(separator: "/").map(String.init)
    while !components.isEmpty {
      let folder = mount + "/" + components.joined(separator: "/")
      if system.exists(folder) { result.append(folder) }
      components.removeLast()
    }
    result.append(mount)
    return result
  }

  static func readV2(_ system: any FileSystem, path: String) -> CgroupLimits {
    var limits = CgroupLimits()
    let folders = folders(mount: "/sys/fs/cgroup", path: path, system: system)
    for folder in folders {
      if let text = system.readText(folder + "/memory.max"), let value = UInt64(trimmed(text)),
        value < (limits.memoryLimitBytes ?? .max)
      {
        limits.memoryLimitBytes = value
        limits.memorySource = "cgroup v2 \(folder)/memory.max"
        limits.memoryUsageBytes = workingSet(
          usage: system.readText(folder + "/memory.current"), stat: system.readText(folder + "/memory.stat"),
          inactiveKey: "inactive_file")
      }
      if let text = system.readText(folder + "/cpu.max") {
        let fields = trimmed(text).split(separator: " ")
        if fields.count == 2, let quota = Double(fields[0]), let period = Double(fields[1]), period > 0 {
          limits.cpuQuotaCores = min(limits.cpuQuotaCores ?? .infinity, quota / period)
        }
      }
    }
    if let first = folders.first, let text = system.readText(first + "/cpuset.cpus.effective") {
      limits.cpusetCores = cpuListCount(trimmed(text))
    }
    return limits
  }

  static func readV1(_ system: any FileSystem, membership: String) -> CgroupLimits {
    var limits = CgroupLimits()
    let memoryPath = path(in: membership, controller: "memory") ?? "/"
    for folder in folders(mount: "/sys/fs/cgroup/memory", path: memoryPath, system: system) {
      // v1 spells "no limit" as a huge page-rounded number (9223372036854771712).
      if let text = system.readText(folder + "/memory.limit_in_bytes"), let value = UInt64(trimmed(text)),
        value < (1 << 62), value < (limits.memoryLimitBytes ?? .max)
      {
        limits.memoryLimitBytes = value
        limits.memorySource = "cgroup v1 \(folder)/memory.limit_in_bytes"
        limits.memoryUsageBytes = workingSet(
          usage: system.readText(folder + "/memory.usage_in_bytes"), stat: system.readText(folder + "/memory.stat"),
          inactiveKey: "total_inactive_file")
      }
    }
    let cpuPath = path(in: membership, controller: "cpu") ?? "/"
    for mount in ["/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/cpu"] where system.exists(mount) {
      for folder in folders(mount: mount, path: cpuPath, system: system) {
        guard let quota = system.readText(folder + "/cpu.cfs_quota_us").flatMap({ Double(trimmed($0)) }),
          let period = system.readText(folder + "/cpu.cfs_period_us").flatMap({ Double(trimmed($0)) }),
          quota > 0, period > 0
        else { continue }
        limits.cpuQuotaCores = min(limits.cpuQuotaCores ?? .infinity, quota / period)
      }
      break
    }
    let cpusetPath = path(in: membership, controller: "cpuset") ?? "/"
    if let folder = folders(mount: "/sys/fs/cgroup/cpuset", path: cpusetPath, system: system).first,
      let text = system.readText(folder + "/cpuset.cpus")
    {
      limits.cpusetCores = cpuListCount(trimmed(text))
    }
    return limits
  }

  /// Usage minus inactive file cache, as kubelet and `docker stats` count it: a container that has
  /// just read a 6 GB model has its page cache in `memory.current`, but the kernel reclaims it.
  static func workingSet(usage: String?, stat: String?, inactiveKey: String) -> UInt64? {
    guard let usage = usage.flatMap({ UInt64(trimmed($0)) }) else { return nil }
    let inactive =
      stat?.split(separator: "\n").lazy.compactMap { line -> UInt64? in
        let fields = line.split(separator: " ")
        return fields.count == 2 && fields[0] == inactiveKey ? UInt64(fields[1]) : nil
      }.first ?? 0
    return usage > inactive ? usage - inactive : 0
  }

  /// Counts a kernel CPU list such as "0-3,6,8-9".
  static func cpuListCount(_ list: String) -> Int? {
    var count = 0
    for range in list.split(separator: ",") {
      let ends = range.split(separator: "-")
      // CPU numbers beyond 2^20 are damage (Linux supports at most 8192 CPUs).
      if ends.count == 1, let cpu = Int(ends[0]), cpu >= 0, cpu < 1 << 20 {
        count += 1
      } else if ends.count == 2, let low = Int(ends[0]), let high = Int(ends[1]), low >= 0, high >= low, high < 1 << 20 {
        count += high - low + 1
      } else {
        return nil
      }
    }
    return count > 0 ? count : nil
  }

  static func trimmed(_ text: String) -> String {
    text.trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
