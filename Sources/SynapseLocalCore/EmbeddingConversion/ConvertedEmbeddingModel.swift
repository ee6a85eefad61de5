import Foundation
import SynapseLocalSystem

/// The GGUF that llama-server serves an embedding model from, made by ``BertGGUFConverter`` from
/// the model's files in the store and kept under the home folder, named by the SHA-256 of every
/// file it was made from: the same model gives the same file, another revision another one, and
/// nothing the Hugging Face cache holds is changed.
public struct ConvertedEmbeddingModel: Sendable {
  public var context: Context
  public var home: RuntimeHome

  public init(context: Context) {
    self.context = context
    self.home = RuntimeHome(environment: context.environment)
  }

  /// `converted/embedding/<digest>/<name>-f16.gguf`.
  public func path(folder: String, name: String) throws(EmbeddingConversionError) -> String {
    let digest = Digest(.sha256)
    digest.update(Array("bert-gguf-v\(BertGGUFConverter.version)\n".utf8))
    for input in BertGGUFConverter.inputs {
      guard let data = context.files.contents(folder + "/" + input) else { continue }
      digest.update(Array("\(input) \(data.count)\n".utf8))
      data.withUnsafeBytes { digest.update($0) }
    }
    let safe = name.split(separator: "/").last.map(String.init)?.filter { $0.isLetter || $0.isNumber || "-_.".contains($0) } ?? ""
    return "\(home.path)/converted/embedding/\(digest.finish())/\(safe.isEmpty ? "model" : safe)-f16.gguf"
  }

  /// The converted file, made now if it is not there yet (in well under a second for a small
  /// model). Written atomically, so a conversion cut short leaves no file to be served.
  public func ensure(folder: String, name: String) throws -> (path: String, made: Bool) {
    let target = try path(folder: folder, name: name)
    if context.files.exists(target) { return (target, false) }
    let bytes = try BertGGUFConverter(files: context.files).convert(folder: folder, name: name)
    try context.files.createDirectory((target as NSString).deletingLastPathComponent, permissions: 0o755)
    try context.files.write(bytes, to: target, permissions: 0o644)
    return (target, true)
  }
}
