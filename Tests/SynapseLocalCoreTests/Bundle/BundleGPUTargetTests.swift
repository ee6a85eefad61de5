import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// Issue 36: `bundle export --gpu BUILD` carries the llama.cpp build (and a CUDA build's cudart
/// companion) for a target whose GPU differs from this machine's: one the release publishes for
/// the platform, from `downloads/` when it is there, else from the release (a mirror, here scripted
/// on the transport), checked against engines.yaml's pins. Anything else is refused in one line
/// naming the valid builds.
@Suite("bundle export --gpu")
struct BundleGPUTargetTests {
  static let mirror = "http://mirror.test"
  static let tag = "b11541"
  static let build = "llama-b11541-bin-ubuntu-cuda-12.8-x64.tar.gz"
  static let companion = "cudart-llama-b11541-bin-ubuntu-cuda-12.8-x64.tar.gz"
  static let buildBytes = Array("stand-in CUDA build\n".utf8)
  static let companionBytes = Array("stand-in libcudart\n".utf8)

  let root = "/scratch"
  let files = MemoryFileSystem(roots: ["/scratch"])

  /// A context whose profiles hold an engines.yaml pinning the stand-in bytes, and whose
  /// transport serves the release from the mirror.
  func context(_ http: ScriptedHTTP) throws -> Context {
    let profiles = root + "/profiles"
    try files.write(
      """
      llama.cpp:
        repository: ggml-org/llama.cpp
        tag: \(Self.tag)
        assets:
          linux-x86_64:
            cpu: {name: llama-b11541-bin-ubuntu-x64.tar.gz, sha256: \(String(repeating: "1", count: 64))}
            cuda-12.8:
              name: \(Self.build)
              sha256: \(Digest.hex(.sha256, Self.buildBytes))
              companion: {name: \(Self.companion), sha256: \(Digest.hex(.sha256, Self.companionBytes))}
              gpu: nvidia
              min_driver: 525
            rocm: {name: llama-b11541-bin-ubuntu-rocm-10.0-x64.tar.gz, sha256: \(String(repeating: "2", count: 64)), gpu: amd}
          macos-arm64:
            metal: {name: llama-b11541-bin-macos-arm64.tar.gz, sha256: \(String(repeating: "3", count: 64)), gpu: metal}
      """, to: profiles + "/engines.yaml")
    return Context.testing(
      environment: [
        "HOME": root, "SYNAPSE_LOCAL_HOME": root + "/home", "SYNAPSE_LOCAL_PROFILES": profiles,
        "SYNAPSE_LOCAL_ENGINE_MIRROR": Self.mirror,
      ], files: files, http: http)
  }

  /// The release as GitHub's API and downloads answer it, for the two CUDA files.
  static func release() -> ScriptedHTTP { ScriptedHTTP(answer) }

  static func answer(_ request: HTTPRequest) -> HTTPResponse? {
    let files = [build: buildBytes, companion: companionBytes]
    if request.url == "\(mirror)/repos/ggml-org/llama.cpp/releases/tags/\(tag)" {
      let assets = files.map {
        ["name": $0.key, "size": $0.value.count, "digest": "sha256:" + Digest.hex(.sha256, $0.value)] as [String: Any]
      }
      let body = try? JSONSerialization.data(withJSONObject: ["tag_name": tag, "assets": assets])
      return HTTPResponse(status: 200, body: Array(body ?? Data()))
    }
    let prefix = "\(mirror)/ggml-org/llama.cpp/releases/download/\(tag)/"
    guard request.url.hasPrefix(prefix), let bytes = files[String(request.url.dropFirst(prefix.count))] else { return nil }
    if request.method == "HEAD" { return HTTPResponse(status: 200, headers: ["content-length": "\(bytes.count)"]) }
    return HTTPResponse(status: 200, headers: ["content-length": "\(bytes.count)"], body: bytes)
  }

  @Test func anUnknownOrUnpublishedBuildIsRefusedNamingTheValidOnes() throws {
    let exporter = BundleExporter(context: try context(ScriptedHTTP()))
    #expect(try exporter.targetBuild(gpu: "cuda-12.8", platform: .linuxX64).asset.name == Self.build)
    do {
      _ = try exporter.targetBuild(gpu: "cuda-11.8", platform: .linuxX64)
      Issue.record("cuda-11.8 was accepted")
    } catch {
      #expect("\(error)".contains(#"unknown --gpu "cuda-11.8""#) && "\(error)".contains("cpu, cuda-12.8, metal, rocm"), "\(error)")
    }
    do {
      _ = try exporter.targetBuild(gpu: "rocm", platform: .macosArm64)
      Issue.record("rocm was accepted for macos-arm64")
    } catch {
      #expect("\(error)" == "cannot export: llama.cpp b11541 publishes no rocm build for macos-arm64: --gpu takes metal there", "\(error)")
    }
  }

  /// From the release the first time (build and companion into `downloads/`, checked), from
  /// `downloads/` the second, with no request.
  @Test func theTargetsBuildAndCompanionComeFromTheReleaseOnce() async throws {
    let http = Self.release()
    let exporter = BundleExporter(context: try context(http))
    let target = try exporter.targetBuild(gpu: "cuda-12.8", platform: .linuxX64)
    let archive = try await exporter.targetArchive(target, platform: .linuxX64)
    #expect(archive.path == root + "/home/downloads/" + Self.build && archive.sha256 == Digest.hex(.sha256, Self.buildBytes))
    let companion = try #require(try exporter.companionArchive(of: archive.path))
    #expect(companion.path == root + "/home/downloads/" + Self.companion)
    #expect(try Digest.sha256(ofFile: companion.path, files: files) == companion.sha256)
    let asked = http.requests.count
    #expect(try await exporter.targetArchive(target, platform: .linuxX64).path == archive.path)
    #expect(http.requests.count == asked, "\(http.requests)")
  }

  /// Bytes the release serves that are not the pinned ones never reach `downloads/`.
  @Test func aCompanionThatIsNotThePinnedOneIsRefused() async throws {
    let http = ScriptedHTTP { request in
      if request.method == "GET", request.url.hasSuffix(Self.companion) {
        return HTTPResponse(status: 200, body: Array("tampered libcudart\n".utf8))
      }
      return Self.answer(request)
    }
    let exporter = BundleExporter(context: try context(http))
    let target = try exporter.targetBuild(gpu: "cuda-12.8", platform: .linuxX64)
    await #expect(throws: RuntimeError.self) { try await exporter.targetArchive(target, platform: .linuxX64) }
    #expect(!files.exists(root + "/home/downloads/" + Self.companion))
  }
}
