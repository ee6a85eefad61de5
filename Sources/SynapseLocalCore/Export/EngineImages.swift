import Foundation
import SynapseLocalSystem
import Yams

/// The container images of the engines and the database (`profiles/images.yaml`), pinned by tag:
/// one place for the compose file and the Kubernetes manifests.
public struct EngineImages: Codable, Sendable, Equatable {
  public struct LlamaCpp: Codable, Sendable, Equatable {
    public var cpu: String
    public var cuda: String
  }

  public var llamaCpp: LlamaCpp
  public var vllm: String
  public var postgresql: String
  public var downloader: String
  /// The pip requirement that gives the downloader `hf download`.
  public var downloaderRequirement: String

  enum CodingKeys: String, CodingKey {
    case vllm, postgresql, downloader
    case llamaCpp = "llama.cpp"
    case downloaderRequirement = "downloader_requirement"
  }

  public static let fileName = "images.yaml"

  public static func load(_ path: String, files: any FileSystem) throws -> EngineImages {
    guard let data = files.contents(path) else { throw ResourceError.unreadable(path: path, reason: "it does not exist") }
    do {
      return try YAMLDecoder().decode(EngineImages.self, from: String(decoding: data, as: UTF8.self))
    } catch {
      throw ResourceError.unreadable(path: path, reason: "\(error)")
    }
  }

  /// The image that serves the plan's chat model.
  public func llm(_ configuration: ProjectConfiguration, onGPU: Bool) -> String {
    configuration.engine == .vllm ? vllm : (onGPU ? llamaCpp.cuda : llamaCpp.cpu)
  }
}

extension ResourceLocator {
  public func loadImages() throws -> EngineImages {
    try EngineImages.load(try locate(.profiles) + "/" + EngineImages.fileName, files: files)
  }
}
