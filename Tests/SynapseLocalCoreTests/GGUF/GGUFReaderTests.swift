import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@Suite("GGUF reader")
struct GGUFReaderTests {
  let valid = GGUFBuilder.tinyLlama().bytes()

  func read(_ bytes: [UInt8]) throws(GGUFError) -> GGUFFile {
    try GGUFReader.read(MemoryByteSource(bytes))
  }

  @Test func readsTheShapeOfAValidFile() throws {
    let file = try read(valid)
    let info = GGUFModelInfo(file: file, path: "tiny.gguf")
    #expect(file.version == 3)
    #expect(info.architecture == "llama")
    #expect(info.name == "Tiny Test")
    #expect(info.blockCount == 2)
    #expect(info.contextLength == 2048)
    #expect(info.embeddingLength == 64)
    #expect(info.headCount == 4)
    #expect(info.headCountKV == 2)
    #expect(info.headDimension == 16)
    #expect(info.fileType == "F32")
    #expect(info.tensorCount == 2)
    #expect(info.tensorBytes == 64 * 8 * 4 + 64 * 4)
    #expect(info.parameterCount == 64 * 8 + 64)
    guard case .array(let type, let count, let head) = try #require(file["tokenizer.ggml.tokens"]) else {
      Issue.record("tokens are not an array")
      return
    }
    #expect(type == "string" && count == 40)
    #expect(head.count == GGUFValue.keptArrayElements)
    #expect(head.first == .string("tok0"))
  }

  @Test func version2IsReadToo() throws {
    var builder = GGUFBuilder.tinyLlama()
    builder.version = 2
    #expect(try read(builder.bytes()).version == 2)
  }

  /// Cutting the file anywhere gives an error, never a crash or a wrong success.
  @Test func truncatedAtEveryLengthIsAnError() {
    for length in 0..<valid.count {
      do {
        _ = try read(Array(valid.prefix(length)))
        Issue.record("a file cut to \(length) of \(valid.count) bytes was accepted")
      } catch {
        switch error {
        case .truncated: break
        case .notGGUF where length < 4: break
        default: Issue.record("cut to \(length): unexpected \(error)")
        }
      }
    }
  }

  @Test func wrongMagicIsNamed() {
    var bytes = valid
    bytes[0...3] = [0x50, 0x4B, 0x03, 0x04]  // a zip file
    #expect(throws: GGUFError.notGGUF(magic: "50 4b 03 04")) { try read(bytes) }
    #expect(throws: GGUFError.notGGUF(magic: "nothing (the file is empty)")) { try read([]) }
  }

  @Test func unsupportedVersionsAndByteOrder() {
    var bytes = valid
    bytes[4...7] = [1, 0, 0, 0]
    #expect(throws: GGUFError.unsupportedVersion(1)) { try read(bytes) }
    bytes[4...7] = [0, 0, 0, 3]
    #expect(throws: GGUFError.bigEndian) { try read(bytes) }
  }

  /// Counts and lengths far beyond the file are refused before anything is allocated for them.
  @Test func absurdCountsAreRefused() {
    let builder = GGUFBuilder.tinyLlama()
    var hugeTensors = valid
    hugeTensors.replaceSubrange(8..<16, with: builder.le(UInt64.max / 2))
    #expect(throwsImplausible { try read(hugeTensors) })

    var hugeKeys = valid
    hugeKeys.replaceSubrange(16..<24, with: builder.le(UInt64(1) << 60))
    #expect(throwsImplausible { try read(hugeKeys) })

    var hugeString = valid
    hugeString.replaceSubrange(24..<32, with: builder.le(UInt64(1) << 62))  // first key's length
    #expect(throwsImplausible { try read(hugeString) })
  }

  @Test func absurdArrayLengthIsRefused() {
    var builder = GGUFBuilder()
    builder.metadata = [("tokenizer.ggml.tokens", .stringArray(["a", "b"]))]
    var bytes = builder.bytes()
    // magic 4 + version 4 + counts 16 + key (8 + 21) + type 4 + element type 4 = 61: the count.
    bytes.replaceSubrange(61..<69, with: builder.le(UInt64(1) << 61))
    #expect(throws: GGUFError.self) { try read(bytes) }
  }

  @Test func tensorProblemsAreRefused() {
    var tooManyDimensions = GGUFBuilder.tinyLlama()
    tooManyDimensions.tensors[0].dimensions = [64, 1, 1, 1, 1, 1, 1]
    #expect(throwsImplausible { try read(tooManyDimensions.bytes()) })

    var unknownType = GGUFBuilder.tinyLlama()
    unknownType.tensors[0].type = 250
    #expect(throwsImplausible { try read(unknownType.bytes()) })

    var overflowing = GGUFBuilder.tinyLlama()
    overflowing.tensors[0].dimensions = [UInt64(1) << 40, UInt64(1) << 40]
    #expect(throwsImplausible { try read(overflowing.bytes()) })

    var partialBlock = GGUFBuilder.tinyLlama()
    partialBlock.tensors[0].type = 12  // Q4_K needs rows in blocks of 256
    #expect(throwsImplausible { try read(partialBlock.bytes()) })
  }

  /// An offset near 2^64 must be damage, not an arithmetic trap.
  @Test func hugeTensorOffsetIsRefused() {
    var bytes = valid
    let builder = GGUFBuilder.tinyLlama()
    // The first tensor's info: its name, 4 bytes of dimension count, two 8-byte dimensions,
    // 4 bytes of type, then the 8-byte offset.
    let name = Array("token_embd.weight".utf8)
    let at = try! #require(firstIndex(of: name, in: bytes)) + name.count + 4 + 16 + 4
    bytes.replaceSubrange(at..<at + 8, with: builder.le(UInt64(0xFFFF_FFFF_FFFF_FFE0)))
    #expect(throwsImplausible { try read(bytes) })
  }

  /// Two tensors claiming the same huge region of a file that "has" 2^64 bytes (as a remote
  /// reader would describe a prefix) cannot make the totals overflow.
  @Test func tensorsLargerThanTheFileAreRefused() {
    var builder = GGUFBuilder.tinyLlama()
    builder.tensors = [
      .init(name: "a", dimensions: [1 << 30, 1 << 30], type: 28, byteCount: 0),
      .init(name: "b", dimensions: [1 << 30, 1 << 30], type: 28, byteCount: 0),
    ]
    let bytes = builder.bytes()
    #expect(throwsImplausible { try GGUFReader.read(MemoryByteSource(bytes, size: .max)) })
  }

  @Test func tensorDataPastTheEndIsTruncation() {
    let cut = Array(valid.dropLast(40))
    #expect {
      try read(cut)
    } throws: { error in
      guard case .truncated(_, _, let context) = error as? GGUFError else { return false }
      return context.contains("tensor")
    }
  }

  /// Random damage anywhere must end in a result or a GGUFError, never a trap.
  @Test func randomDamageNeverCrashes() {
    var generator = SplitMix64(seed: 42)
    for _ in 0..<2000 {
      var bytes = valid
      for _ in 0..<Int.random(in: 1...6, using: &generator) {
        let index = Int.random(in: 0..<bytes.count, using: &generator)
        bytes[index] = UInt8.random(in: 0...255, using: &generator)
      }
      _ = try? read(bytes)
    }
  }

  /// True when reading fails as damage (implausible value, or a length that runs past the end).
  func throwsImplausible(_ body: () throws -> GGUFFile) -> Bool {
    do {
      _ = try body()
      return false
    } catch let error as GGUFError {
      if case .implausible = error { return true }
      if case .truncated = error { return true }
      return false
    } catch {
      return false
    }
  }
}

func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
  guard needle.count <= haystack.count else { return nil }
  return (0...(haystack.count - needle.count)).first { Array(haystack[$0..<$0 + needle.count]) == needle }
}

/// A seeded generator so the damage test is the same on every run.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
