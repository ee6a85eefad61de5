import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// The embedding model converted to GGUF here, served by the real llama-server, gives the vectors
/// sentence-transformers gives for the same texts (cosine ≥ 0.999 each); a model whose pipeline
/// llama.cpp cannot reproduce is refused with what to use instead.
@Suite("llama.cpp embeddings from a converted model", .tags(.integration), .serialized)
struct EmbeddingConversionTests {
  static let texts = [
    "The cat sat on the mat.", "PostgreSQL stores the vectors with pgvector.",
    "Quarterly revenue rose by 4% against the previous year's figures, driven by services.",
    "Café crème, naïve façade: accents and ligatures.", "llama-server --embedding --pooling mean",
    "A long sentence about retrieval augmented generation, which splits documents into chunks, embeds each chunk, stores the vectors and later finds the chunks nearest to a question before asking the chat model to answer from them.",
    "xylophonically unpronounceable zzyzx", "?",
  ]

  @Test(.timeLimit(.minutes(3)), .enabled(if: TestBed.shouldRun(.llamaServer, .python, .miniLM)))
  func theConvertedModelAgreesWithSentenceTransformers() async throws {
    let home = NSTemporaryDirectory() + "embedding-conversion-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: home) }
    var environment = ProcessInfo.processInfo.environment
    environment["SYNAPSE_LOCAL_HOME"] = home
    let converted = ConvertedEmbeddingModel(context: Context.live(environment: environment))
    let model = try TestBed.require(.miniLM)
    let (path, made) = try converted.ensure(folder: model, name: "sentence-transformers/all-MiniLM-L6-v2")
    #expect(made && path.hasPrefix(home + "/converted/embedding/") && path.hasSuffix("/all-MiniLM-L6-v2-f16.gguf"))
    let again = try converted.ensure(folder: model, name: "sentence-transformers/all-MiniLM-L6-v2")
    #expect(again.path == path && !again.made, "made once")

    let file = try GGUFReader.read(path: path, files: RootedFileSystem())
    #expect(file["general.architecture"]?.string == "bert")
    #expect(file["bert.pooling_type"]?.integer == 1)
    #expect(file["bert.block_count"]?.integer == 6)
    #expect(file.tensors.count == 101)

    let port = try Loopback.freePort()
    let server = try TestProcess(
      try TestBed.require(.llamaServer),
      ["-m", path, "--embedding", "--host", "127.0.0.1", "--port", "\(port)", "-c", "512", "-b", "512", "-ub", "512", "-t", "2"])
    try await Loopback.waitUntilHealthy("http://127.0.0.1:\(port)/health", process: server, seconds: 60)
    let (status, body) = try await Loopback.request(
      "http://127.0.0.1:\(port)/v1/embeddings", method: "POST", json: ["input": Self.texts, "model": "all-minilm"])
    await server.stop()
    #expect(status == 200)
    let data = try #require((try JSONSerialization.jsonObject(with: body) as? [String: Any])?["data"] as? [[String: Any]])
    let engine = data.sorted { ($0["index"] as? Int ?? 0) < ($1["index"] as? Int ?? 0) }.map { ($0["embedding"] as? [Double]) ?? [] }

    let script = """
      import sys, json
      from sentence_transformers import SentenceTransformer
      m = SentenceTransformer(sys.argv[1], device="cpu")
      print(json.dumps(m.encode(json.loads(sys.argv[2]), normalize_embeddings=True).tolist()))
      """
    environment["HF_HUB_OFFLINE"] = "1"
    environment["TOKENIZERS_PARALLELISM"] = "false"
    let texts = String(decoding: try JSONSerialization.data(withJSONObject: Self.texts), as: UTF8.self)
    let (exit, output) = try await runCommand(try TestBed.require(.python), ["-c", script, model, texts], environment: environment)
    #expect(exit == 0, "\(output.suffix(2000))")
    let line = try #require(output.split(separator: "\n").last { $0.hasPrefix("[") })
    let reference = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [[Double]])
    #expect(engine.count == Self.texts.count && reference.count == Self.texts.count)
    for (index, (a, b)) in zip(engine, reference).enumerated() {
      let cosine = Self.cosine(a, b)
      #expect(a.count == 384 && cosine >= 0.999, "text \(index) \(Self.texts[index].debugDescription): cosine \(cosine)")
    }
  }

  static func cosine(_ a: [Double], _ b: [Double]) -> Double {
    var (dot, aa, bb) = (0.0, 0.0, 0.0)
    for (x, y) in zip(a, b) {
      dot += x * y
      aa += x * x
      bb += y * y
    }
    return dot / (aa.squareRoot() * bb.squareRoot())
  }

  /// A Dense projection after the pooling is part of the model's meaning: refused, not dropped.
  @Test(.enabled(if: TestBed.shouldRun(.miniLMDense)))
  func aModelWithADenseLayerIsRefused() throws {
    let converter = BertGGUFConverter(files: RootedFileSystem())
    #expect {
      try converter.convert(folder: try TestBed.require(.miniLMDense), name: "minilm-dense-256")
    } throws: { error in
      let message = String(describing: error)
      return message.contains("Dense") && message.contains("embedding.engine: sentence-transformers")
    }
  }
}
