import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// The GGUF reader on the test bed's real models, checked against llama.cpp's own Python reader
/// (gguf-py) on the same files.
@Suite("GGUF reader on real models", .tags(.integration))
struct RealGGUFTests {
  /// What gguf-py reads from a file: the facts both readers must agree on.
  struct Reference: Decodable {
    var version: Int
    var tensorCount: Int
    var kvCount: Int
    var keys: [String]
    var tensorBytes: Int
    var dataOffset: Int
    var architecture: String

    enum CodingKeys: String, CodingKey {
      case version, keys, architecture
      case tensorCount = "tensor_count"
      case kvCount = "kv_count"
      case tensorBytes = "tensor_bytes"
      case dataOffset = "data_offset"
    }
  }

  static let referenceScript = """
    import sys, json
    from gguf import GGUFReader
    r = GGUFReader(sys.argv[1])
    keys = [k for k in r.fields.keys() if not k.startswith("GGUF.")]
    arch = r.fields["general.architecture"]
    print(json.dumps({
      "version": int(r.fields["GGUF.version"].parts[-1][0]),
      "tensor_count": len(r.tensors),
      "kv_count": int(r.fields["GGUF.kv_count"].parts[-1][0]),
      "keys": keys,
      "tensor_bytes": int(sum(int(t.n_bytes) for t in r.tensors)),
      "data_offset": int(r.data_offset),
      "architecture": bytes(arch.parts[arch.data[0]]).decode(),
    }))
    """

  func reference(_ path: String) async throws -> Reference {
    let python = try TestBed.require(.python)
    let (status, output) = try await runCommand(python, ["-c", Self.referenceScript, path])
    guard status == 0, let line = output.split(separator: "\n").last(where: { $0.hasPrefix("{") }) else {
      throw TestFailure("gguf-py failed on \(path):\n\(output.suffix(2000))")
    }
    return try JSONDecoder().decode(Reference.self, from: Data(line.utf8))
  }

  func check(_ path: String) async throws -> GGUFModelInfo {
    let file = try GGUFReader.read(path: path, files: RootedFileSystem())
    let expected = try await reference(path)
    #expect(Int(file.version) == expected.version)
    #expect(file.tensors.count == expected.tensorCount)
    #expect(file.metadata.count == expected.kvCount)
    #expect(file.metadata.map(\.key) == expected.keys)
    #expect(Int(file.tensorBytes) == expected.tensorBytes)
    #expect(Int(file.dataOffset) == expected.dataOffset)
    #expect(file["general.architecture"]?.string == expected.architecture)
    return GGUFModelInfo(file: file, path: path)
  }

  @Test(.timeLimit(.minutes(4)), .enabled(if: TestBed.shouldRun(.smolLM2, .python)))
  func smolLM2() async throws {
    let info = try await check(try TestBed.require(.smolLM2))
    // SmolLM2-135M's published config: 30 layers, 9 heads, 3 KV heads, 576 wide, 8192 context.
    #expect(info.architecture == "llama")
    #expect(info.blockCount == 30)
    #expect(info.headCount == 9)
    #expect(info.headCountKV == 3)
    #expect(info.embeddingLength == 576)
    #expect(info.contextLength == 8192)
    #expect(info.headDimension == 64)
    #expect(info.fileType == "Q4_1")
  }

  // gguf-dump alone takes about 20 s on Gemma's vocabulary; beside the stack tests on 2 cores, 60+.
  @Test(.timeLimit(.minutes(4)), .enabled(if: TestBed.shouldRun(.gemma3, .python)))
  func gemma3() async throws {
    let info = try await check(try TestBed.require(.gemma3))
    // Gemma 3 270M: 18 layers, 4 heads, 1 KV head of size 256, 640 wide, 32768 context.
    #expect(info.architecture == "gemma3")
    #expect(info.blockCount == 18)
    #expect(info.headCount == 4)
    #expect(info.headCountKV == 1)
    #expect(info.headDimension == 256)
    #expect(info.embeddingLength == 640)
    #expect(info.contextLength == 32768)
    #expect(info.fileType == "Q4_K_M")
  }

  /// The catalog's shape for the demo models is what their files say.
  @Test(.enabled(if: TestBed.shouldRun(.smolLM2, .gemma3)))
  func catalogShapesMatchTheFiles() throws {
    let catalog = try Fixtures.catalog()
    for (id, component) in [("smollm2-135m-q4", TestBed.Component.smolLM2), ("gemma-3-270m-q4", .gemma3)] {
      let path = try TestBed.require(component)
      let info = GGUFModelInfo(file: try GGUFReader.read(path: path, files: RootedFileSystem()), path: path)
      let shape = try catalog.model(id: id).shape
      #expect(Int64(shape.layers ?? 0) == info.blockCount)
      #expect(Int64(shape.heads ?? 0) == info.headCount)
      #expect(Int64(shape.kvHeads ?? 0) == info.headCountKV)
      #expect(Int64(shape.headDim ?? 0) == info.headDimension)
      #expect(Int64(shape.maxContext) == info.contextLength)
      #expect(try catalog.model(id: id).sizeBytes == info.fileSizeBytes)
    }
  }

  /// The real file cut short anywhere in its header is refused, never misread.
  @Test(.enabled(if: TestBed.shouldRun(.smolLM2)))
  func truncatedRealFile() throws {
    let path = try TestBed.require(.smolLM2)
    let source = try OpenFileByteSource(files: RootedFileSystem(), path: path)
    let header = try source.read(at: 0, count: 2_000_000)
    for length in stride(from: 0, to: header.count, by: 49_999) {
      #expect(throws: GGUFError.self) { try GGUFReader.read(MemoryByteSource(Array(header.prefix(length)))) }
    }
    // The whole header but not the weights: the reader says the tensor data is missing.
    #expect {
      try GGUFReader.read(MemoryByteSource(header))
    } throws: { error in
      guard case .truncated(_, _, let context) = error as? GGUFError else { return false }
      return context.contains("tensor")
    }
  }
}
