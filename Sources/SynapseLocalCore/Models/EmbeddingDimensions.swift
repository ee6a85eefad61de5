import Foundation
import SynapseLocalSystem

/// The size of the vectors a sentence-transformers model folder gives, read from its files: the
/// last module that sets one (a Dense projection's `out_features`, the Pooling layer's
/// `word_embedding_dimension`), else the transformer's `hidden_size`.
public enum EmbeddingDimensions {
  public static func read(folder: String, files: any FileSystem) -> Int? {
    func json(_ path: String) -> [String: Any]? {
      guard let data = files.contents(folder + "/" + path) else { return nil }
      return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }
    if let data = files.contents(folder + "/modules.json"),
      let modules = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]]
    {
      for module in modules.reversed() {
        guard let path = module["path"] as? String, !path.isEmpty, let config = json(path + "/config.json") else { continue }
        if let out = config["out_features"] as? Int { return out }
        if let pooled = config["word_embedding_dimension"] as? Int { return pooled }
      }
    }
    return json("config.json")?["hidden_size"] as? Int
  }
}
