import Foundation
import SynapseLocalSystem

/// Which files of a Hugging Face repository a model needs. The rules name what each runtime loads,
/// so a pull never fetches a second copy of the weights (`original/*.pth`, `consolidated*`, the
/// PyTorch or ONNX twins of a safetensors checkpoint).
public enum FileSelection: Sendable, Equatable {
  /// One file (a GGUF).
  case file(String)
  /// What vLLM (transformers) loads: every non-weight file at the root (`*.json`, `*.jinja`,
  /// `*.txt`, `*.model`), and the safetensors files the index names, else `model.safetensors`.
  case transformers
  /// What sentence-transformers loads: the same at the root and in each module folder that
  /// `modules.json` names, with `pytorch_model.bin` where a folder has no safetensors.
  case sentenceTransformers
  /// `--include` / `--exclude`, as huggingface_hub applies them.
  case patterns(FilePatterns)
  /// For a repository pulled without a role: sentence-transformers when it has `modules.json`,
  /// transformers when it has safetensors at its root, else every file.
  case automatic

  /// The selection in words, for messages.
  public var summary: String {
    switch self {
    case .file(let path): path
    case .transformers: "the safetensors checkpoint vLLM loads"
    case .sentenceTransformers: "the sentence-transformers folder"
    case .patterns(let p): (p.include.map { "--include '\($0)'" } + p.exclude.map { "--exclude '\($0)'" }).joined(separator: " ")
    case .automatic: "any file"
    }
  }

  static let index = "model.safetensors.index.json"
  static let modules = "modules.json"

  /// The small files to read before the rest can be chosen.
  public func descriptors(in listing: [String]) -> [String] {
    switch resolved(listing) {
    case .transformers: listing.contains(Self.index) ? [Self.index] : []
    case .sentenceTransformers: ([Self.modules] + Self.indexes(in: listing)).filter(listing.contains)
    default: []
    }
  }

  /// The files to fetch from `listing`; `descriptor` reads one of `descriptors(in:)` already fetched.
  public func files(in listing: [String], repository: String, descriptor: (String) -> Data?) throws -> [String] {
    switch resolved(listing) {
    case .file(let path): return [path]
    case .patterns(let patterns): return listing.filter(patterns.keeps)
    case .transformers:
      return try Self.folder("", in: listing, repository: repository, fallbackToBin: false, requireWeights: true, descriptor: descriptor)
    case .sentenceTransformers:
      var folders = [""]
      if let data = descriptor(Self.modules), let modules = try? JSONDecoder().decode([Module].self, from: data) {
        folders += modules.compactMap(\.path).filter { !$0.isEmpty }
      }
      var files: [String] = []
      for folder in Set(folders).sorted() {
        let found = try Self.folder(
          folder, in: listing, repository: repository, fallbackToBin: true, requireWeights: folders.count == 1, descriptor: descriptor)
        files += found.filter { !files.contains($0) }
      }
      // Weights at the root or in a module's folder (static embeddings keep theirs in 0_StaticEmbedding/).
      guard files.contains(where: Self.isWeight) else {
        throw StoreError.unusableReference(
          "\(repository) has no model.safetensors or pytorch_model.bin at its root or in a folder modules.json names: it is not a sentence-transformers model"
        )
      }
      return files
    case .automatic: return listing
    }
  }

  /// `.automatic` decided by what the repository holds.
  func resolved(_ listing: [String]) -> FileSelection {
    guard case .automatic = self else { return self }
    if listing.contains(Self.modules) { return .sentenceTransformers }
    if listing.contains(where: { !$0.contains("/") && $0.hasSuffix(".safetensors") }) { return .transformers }
    return .automatic
  }

  struct Module: Decodable {
    var path: String?
  }

  struct Index: Decodable {
    var weightMap: [String: String]

    enum CodingKeys: String, CodingKey {
      case weightMap = "weight_map"
    }
  }

  static func indexes(in listing: [String]) -> [String] {
    listing.filter { $0 == index || $0.hasSuffix("/" + index) }
  }

  /// One folder's non-weight files and its weights: the index's safetensors, else
  /// model.safetensors, else (sentence-transformers only) pytorch_model.bin.
  static func folder(
    _ folder: String, in listing: [String], repository: String, fallbackToBin: Bool, requireWeights: Bool, descriptor: (String) -> Data?
  ) throws -> [String] {
    let prefix = folder.isEmpty ? "" : (folder.hasSuffix("/") ? folder : folder + "/")
    let here = listing.filter { $0.hasPrefix(prefix) && !$0.dropFirst(prefix.count).contains("/") }
    var files = here.filter { isConfiguration(String($0.dropFirst(prefix.count))) }
    if here.contains(prefix + index) {
      guard let data = descriptor(prefix + index), let map = try? JSONDecoder().decode(Index.self, from: data) else {
        throw StoreError.unusableReference("\(repository)/\(prefix + index) is not a safetensors index (no weight_map)")
      }
      for shard in Set(map.weightMap.values).sorted() {
        let path = prefix + shard
        guard shard.hasSuffix(".safetensors"), !shard.contains("/"), !shard.hasPrefix("consolidated") else {
          throw StoreError.unusableReference("\(repository)/\(prefix + index) names \(shard), which is not a safetensors file beside it")
        }
        guard listing.contains(path) else {
          throw StoreError.unusableReference("\(repository)/\(prefix + index) names \(shard), which the repository does not have")
        }
        files.append(path)
      }
    } else if here.contains(prefix + "model.safetensors") {
      files.append(prefix + "model.safetensors")
    } else if fallbackToBin, here.contains(prefix + "pytorch_model.bin") {
      files.append(prefix + "pytorch_model.bin")
    } else if folder.isEmpty && requireWeights {
      throw StoreError.unusableReference(
        "\(repository) has no \(index) or model.safetensors at its root\(fallbackToBin ? " (nor pytorch_model.bin)" : ""): "
          + "it is not a checkpoint \(fallbackToBin ? "sentence-transformers" : "vLLM") can load; name the files with --include")
    }
    return files
  }

  static func isWeight(_ path: String) -> Bool {
    path.hasSuffix(".safetensors") || path.hasSuffix("pytorch_model.bin")
  }

  /// Tokenizer, configuration and template files: small, needed, never weights.
  static func isConfiguration(_ name: String) -> Bool {
    if name.hasPrefix("consolidated") { return false }
    // `*.py`: a model's own code (trust_remote_code); `*.tiktoken`: some tokenizers' vocabularies.
    return [".json", ".jinja", ".txt", ".model", ".py", ".tiktoken"].contains { name.hasSuffix($0) }
  }
}
