import Foundation
import SynapseLocalSystem

/// A chat model given as a local GGUF file (`recommend --llm PATH`): planned and predicted like a
/// catalog entry, from what its header states. It has no rating, so it is only ever planned when
/// named.
public enum LocalChatModel {
  public static func entry(path: String, files: any FileSystem) throws -> CatalogModel {
    let info: GGUFModelInfo
    do {
      info = GGUFModelInfo(file: try GGUFReader.read(path: path, files: files), path: path)
    } catch {
      throw RecommendationError.badRequest("\(path) is not a GGUF file this tool can read (\(error)); name a .gguf file or a catalog id")
    }
    let file = (path as NSString).lastPathComponent
    // A header's numbers are taken only within bounds no real model exceeds, so no estimate overflows.
    func bounded(_ value: Int64?, _ limit: Int64) -> Int? { value.map { Int(min(max($0, 0), limit)) } }
    let shape = CatalogModel.Shape(
      parameterCount: info.parameterCount, layers: bounded(info.blockCount, 4096), heads: bounded(info.headCount, 4096),
      kvHeads: bounded(info.headCountKV, 4096), headDim: bounded(info.headDimension, 65_536),
      maxContext: bounded(info.contextLength, 1 << 24).flatMap { $0 > 0 ? $0 : nil } ?? Recommender.defaultContext,
      embeddingParameters: info.embeddingParameterCount, activeParameters: nil)
    let stem = file.hasSuffix(".gguf") ? String(file.dropLast(5)) : file
    return CatalogModel(
      id: "local:" + stem.lowercased(), role: .llm, demo: nil, name: info.name ?? stem, title: "\(info.name ?? stem) (\(file))",
      parameters: nil, quantization: info.fileType,
      gguf: CatalogModel.GGUFSource(repository: (path as NSString).deletingLastPathComponent, file: file, revision: nil, sha256: nil),
      vllm: nil, repository: nil, dimensions: nil, size: nil, sizeBytes: info.fileSizeBytes, ram: nil, ramBytes: nil, speed: "",
      quality: "", useCase: nil, bestFor: nil, code: nil, license: "as the file's", commercialUse: "as the file's", attribution: "",
      shape: shape, sources: nil)
  }
}
