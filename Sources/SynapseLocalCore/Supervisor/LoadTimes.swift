import Foundation
import SynapseLocalSystem

/// How long each model took to load (launch to healthy), measured by the supervisor and kept in
/// the state folder: a swap's expected wait comes from the last load of the same file when there
/// was one, and from the file's size when not.
public enum LoadTimes {
  public static func fileName(state: String) -> String { state + "/load-times.json" }

  /// Seconds per model path.
  public static func read(file: String, files: any FileSystem) -> [String: Double] {
    guard let data = files.contents(file) else { return [:] }
    return (try? JSONDecoder().decode([String: Double].self, from: data)) ?? [:]
  }

  static func record(file: String, model: String, seconds: Double, files: any FileSystem) {
    var times = read(file: file, files: files)
    times[model] = (seconds * 10).rounded() / 10
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(times) else { return }
    try? files.write(data, to: file, permissions: 0o644)
  }

  /// The expected load time: the last one measured, else an estimate from the size on disk
  /// (llama-server maps a GGUF at about 1 GB/s from a cold page cache; the embedding server spends
  /// about 8 s importing torch before it reads its weights; vLLM compiles and captures graphs).
  /// `bytes`: the model's size on disk (`size(of:)`), which its caller may need as well.
  public static func expected(
    file: String, files: any FileSystem, modelPath: String, bytes: UInt64, engine: Engine, role: ModelRole
  ) -> (seconds: Double, measured: Bool) {
    if let measured = read(file: file, files: files)[modelPath] { return (measured, true) }
    let gigabytes = Double(bytes) / 1e9
    switch (role, engine) {
    case (.embedding, _): return (8 + gigabytes * 5, false)
    case (.llm, .vllm): return (60 + gigabytes * 2, false)
    case (.llm, _): return (1 + gigabytes, false)
    }
  }

  /// A model file's size, or a model folder's (its files, links followed); 0 when it is missing.
  public static func size(of path: String, files: any FileSystem) -> UInt64 {
    guard files.exists(path) else { return 0 }
    return files.isDirectory(path) ? folderSize(path, files: files) : files.size(path) ?? 0
  }

  static func folderSize(_ path: String, files: any FileSystem) -> UInt64 {
    guard let names = files.walk(path) else { return 0 }
    return names.reduce(0) { $0 + (files.size(path + "/" + $1) ?? 0) }
  }
}
