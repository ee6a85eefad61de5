import Foundation
import SynapseLocalSystem

/// Which CUDA line of vLLM `install vllm` takes on a machine, as `LlamaCppVariantChoice` does for
/// llama.cpp's builds: the first of engines.yaml's lines for the platform whose driver minimum the
/// NVIDIA driver meets and whose kernels cover one of the GPUs. A machine no line fits is refused
/// with one line: what was found, what is needed, what to do. A line that fits but is not pinned
/// here (its wheels come from another index) is chosen and shown, and `install` refuses it.
public struct VLLMLineChoice: Codable, Sendable, Equatable {
  public var runtime = "vllm"
  public var version: String
  public var platform: Platform
  public var line: String
  public var cuda: String
  /// The requirement file that pins the line (relative to profiles/); nil: not pinned here.
  public var requirements: String?
  /// Where the wheels come from: nil for PyPI.
  public var index: String?
  public var minDriver: String
  public var nativeDriver: String?
  public var compute: [String]?
  /// One line: what was seen, and why this line.
  public var reason: String

  enum CodingKeys: String, CodingKey {
    case runtime, version, platform, line, cuda, requirements, index, compute, reason, pinned
    case minDriver = "min_driver"
    case nativeDriver = "native_driver"
  }

  public var pinned: Bool { requirements != nil }

  public init(lines: VLLMLines, line: VLLMLines.Line, reason: String) {
    version = lines.version
    platform = line.platform
    self.line = line.name
    cuda = line.cuda
    requirements = line.requirements
    index = line.index
    minDriver = line.minDriver
    nativeDriver = line.nativeDriver
    compute = line.compute
    self.reason = reason
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    version = try container.decode(String.self, forKey: .version)
    platform = try container.decode(Platform.self, forKey: .platform)
    line = try container.decode(String.self, forKey: .line)
    cuda = try container.decode(String.self, forKey: .cuda)
    requirements = try container.decodeIfPresent(String.self, forKey: .requirements)
    index = try container.decodeIfPresent(String.self, forKey: .index)
    minDriver = try container.decode(String.self, forKey: .minDriver)
    nativeDriver = try container.decodeIfPresent(String.self, forKey: .nativeDriver)
    compute = try container.decodeIfPresent([String].self, forKey: .compute)
    reason = try container.decode(String.self, forKey: .reason)
  }

  /// Every key, `null` included, so scripts see the same shape on every machine.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(runtime, forKey: .runtime)
    try container.encode(version, forKey: .version)
    try container.encode(platform, forKey: .platform)
    try container.encode(line, forKey: .line)
    try container.encode(cuda, forKey: .cuda)
    try container.encode(requirements, forKey: .requirements)
    try container.encode(index, forKey: .index)
    try container.encode(pinned, forKey: .pinned)
    try container.encode(minDriver, forKey: .minDriver)
    try container.encode(nativeDriver, forKey: .nativeDriver)
    try container.encode(compute, forKey: .compute)
    try container.encode(reason, forKey: .reason)
  }

  /// What to do instead of vLLM, at the end of every refusal.
  static let instead = "use llama.cpp (synapse-local init --engine llama.cpp)"

  /// The line for this machine's GPUs on `platform`, or `RuntimeError.vllmRefused` saying why none.
  public static func choose(lines: VLLMLines, platform: Platform, hardware: HardwareReport) throws(RuntimeError) -> VLLMLineChoice {
    let named = "vLLM \(lines.version.isEmpty ? "" : lines.version + " ")"
    guard platform != .macosArm64 else {
      throw .vllmRefused("\(named)runs on Linux with an NVIDIA GPU, not on \(platform.rawValue): \(instead)")
    }
    let gpus = hardware.nvidiaGPUs
    guard !gpus.isEmpty else {
      let amd = hardware.gpus.isEmpty ? "" : " (an AMD GPU is not one: vLLM's wheels here are CUDA builds)"
      throw .vllmRefused("vLLM needs an NVIDIA GPU and none was detected\(amd): \(instead)")
    }
    let candidates = lines.lines(for: platform)
    guard !candidates.isEmpty else {
      throw .vllmRefused("engines.yaml names no vLLM line for \(platform.rawValue): \(instead)")
    }
    let driver = gpus.map(\.driverVersion).first { !$0.isEmpty }
    let names = Array(Set(gpus.map { "\($0.name) (compute \($0.computeCapability ?? "unknown"))" })).sorted().joined(separator: ", ")
    let seen = "\(names), driver \(driver ?? "unknown")"
    var tooOld: [VLLMLines.Line] = []
    var uncovered: [(VLLMLines.Line, [GPUReport])] = []
    for line in candidates {
      guard let driver, CUDADriverSupport.isAtLeast(driver, line.minDriver) else {
        tooOld.append(line)
        continue
      }
      let covered = gpus.filter { covers(line, $0) }
      guard !covered.isEmpty else {
        uncovered.append((line, gpus))
        continue
      }
      let unused = gpus.filter { !covers(line, $0) }.map(\.name)
      let skipped = unused.isEmpty ? "" : "; \(Array(Set(unused)).sorted().joined(separator: ", ")) not used (no kernels for it)"
      return VLLMLineChoice(
        lines: lines, line: line, reason: "\(seen): \(describe(line, driver: driver, version: lines.version))\(skipped)")
    }
    if let (line, gpus) = uncovered.first {
      throw .vllmRefused(computeRefusal(line, gpus: gpus, version: lines.version))
    }
    let needed = tooOld.min { !CUDADriverSupport.isAtLeast($0.minDriver, $1.minDriver) } ?? candidates[0]
    let cuda = driver.flatMap(CUDADriverSupport.cudaVersion(forDriver:)).map { " (CUDA \($0))" } ?? ""
    let natively = needed.nativeDriver.map { "; \($0) or newer runs CUDA \(needed.cuda) natively" } ?? ""
    throw .vllmRefused(
      "\(named)cannot run here: its CUDA \(needed.cuda) wheels need NVIDIA driver \(needed.minDriver) or newer (through CUDA's minor-version compatibility\(natively)), and the driver here is \(driver ?? "unknown")\(cuda): install a newer NVIDIA driver, or \(instead)"
    )
  }

  /// The chosen line in words: where its wheels come from and how the driver runs them.
  static func describe(_ line: VLLMLines.Line, driver: String, version: String) -> String {
    let how =
      line.nativeDriver.map {
        CUDADriverSupport.isAtLeast(driver, $0)
          ? "the driver runs CUDA \(line.cuda) natively"
          : "the driver runs CUDA \(line.cuda) through minor-version compatibility (\($0) or newer runs it natively)"
      } ?? "the driver runs CUDA \(line.cuda)"
    guard let requirements = line.requirements else {
      return
        "the \(line.name) line (CUDA \(line.cuda)) from \(line.index ?? "its index")\(line.note.map { " (\($0))" } ?? ""), which no file here pins: `install vllm` does not install it; install vLLM \(version) from that index yourself and set SYNAPSE_LOCAL_VLLM (or binaries.vllm) to its vllm"
    }
    let source = line.index.map { "from \($0)" } ?? "from PyPI"
    return "vLLM \(version)'s CUDA \(line.cuda) wheels \(source), pinned in \(requirements); \(how)"
  }

  static func computeRefusal(_ line: VLLMLines.Line, gpus: [GPUReport], version: String) -> String {
    let unknown = gpus.filter { $0.computeCapability == nil }.map(\.name)
    let carried = (line.compute ?? []).joined(separator: ", ")
    if !unknown.isEmpty, gpus.allSatisfy({ $0.computeCapability == nil }) {
      return
        "vLLM \(version)'s CUDA \(line.cuda) wheels carry kernels for compute capability \(carried) only, and nvidia-smi reported none for \(Array(Set(unknown)).sorted().joined(separator: ", ")): update the NVIDIA driver (its nvidia-smi reports compute_cap), or \(instead)"
    }
    let found = Array(Set(gpus.map { "\($0.name) has compute capability \($0.computeCapability ?? "unknown")" })).sorted()
    return
      "\(found.joined(separator: "; ")); vLLM \(version)'s CUDA \(line.cuda) wheels carry kernels for \(carried) only: this GPU cannot run them; \(instead)"
  }

  /// Whether the line has kernels for the GPU: an X.Z build runs on X.Y when Z ≤ Y. A line that
  /// lists none covers every GPU; a GPU of unknown capability is covered by no list.
  static func covers(_ line: VLLMLines.Line, _ gpu: GPUReport) -> Bool {
    guard let list = line.compute else { return true }
    guard let capability = gpu.computeCapability.map(parts), capability.count == 2 else { return false }
    return list.map(parts).contains { $0.count == 2 && $0[0] == capability[0] && $0[1] <= capability[1] }
  }

  static func parts(_ text: String) -> [Int] {
    text.trimmingCharacters(in: .whitespaces).split(separator: ".").compactMap { Int($0) }
  }

  /// The pinned line for the platform, for `install vllm --force` on a machine the choice refuses.
  public static func forced(lines: VLLMLines, platform: Platform) -> VLLMLines.Line? {
    lines.lines(for: platform).first(where: \.pinned)
  }
}
