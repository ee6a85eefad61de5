import SynapseLocalSystem

/// What an engine would refuse to load, found before anything starts: llama.cpp's model must be a
/// GGUF file whose header reads (the same reader as `inspect`), an embedding model a folder. Run by
/// `init`, `models import`, `generate`, `swap` and `up`'s preflight, so a garbage file is one line
/// at the first of them instead of a crash loop.
public enum ModelFileCheck {
  /// Why `path` cannot serve `role` on `engine`, or nil.
  public static func problem(_ path: String, role: ModelRole, engine: Engine, files: any FileSystem) -> String? {
    guard files.exists(path) else { return "\(path) does not exist" }
    switch (role, engine) {
    case (.llm, .llamaCpp):
      if files.isDirectory(path) { return "\(path) is a folder; llama.cpp loads one .gguf file" }
      return ggufProblem(path, files: files).map { "\(path): \($0)" }
    case (.llm, .vllm), (.embedding, _):
      return files.isDirectory(path) ? nil : "\(path) is a file; \(role == .llm ? "vLLM" : "the embedding server") loads a model folder"
    }
  }

  /// Why `path` is not a GGUF file the reader can use, in one line; nil when it is one.
  public static func ggufProblem(_ path: String, files: any FileSystem) -> String? {
    do {
      _ = try GGUFReader.read(try files.byteSource(path))
      return nil
    } catch {
      return error.description
    }
  }
}
