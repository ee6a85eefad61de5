import Foundation
import SynapseLocalCore
import SynapseLocalSystem

enum GGUFTable {
  static func print(_ info: GGUFModelInfo, to output: any OutputSink) {
    let optional = { (value: Int64?) in value.map(String.init) ?? "not stated" }
    output.table(
      [
        ("file", "\(info.path) (\(ByteCount.format(info.fileSizeBytes)), GGUF v\(info.version))"),
        ("architecture", info.architecture ?? "not stated"),
        ("name", info.name ?? "not stated"),
        ("block_count", optional(info.blockCount)),
        ("context_length", optional(info.contextLength)),
        ("embedding_length", optional(info.embeddingLength)),
        ("head_count", optional(info.headCount)),
        ("head_count_kv", optional(info.headCountKV)),
        ("file type", info.fileType),
        (
          "tensors",
          "\(info.tensorCount) (\(info.tensorTypes.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")))"
        ),
        ("tensor bytes", "\(info.tensorBytes) (\(ByteCount.format(info.tensorBytes)))"),
        ("parameters", "\(info.parameterCount)"),
      ], indent: 0)
    output.print()
    output.print("Metadata (\(info.metadata.count) keys)")
    output.table(info.metadata.map { ($0.key, "\($0.value.typeName) \($0.value.display)") })
  }
}
