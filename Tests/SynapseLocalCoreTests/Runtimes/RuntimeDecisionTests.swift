import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// The installer's decisions without a download: which release asset and digest, what the lock
/// pins, the commands a CUDA build and pip run, and which program `up` runs.
@Suite("runtime decisions")
struct RuntimeDecisionTests {
  static let published = String(repeating: "a", count: 64)
  static let other = String(repeating: "b", count: 64)

  static let releases = EngineReleases(
    llamaCpp: .init(
      repository: "ggml-org/llama.cpp", tag: "b8200",
      assets: [
        "linux-x86_64": [
          "cpu": .init(name: "llama-b8200-bin-ubuntu-x64.tar.gz"), "vulkan": .init(name: "llama-b8200-bin-ubuntu-vulkan-x64.tar.gz"),
        ],
        "macos-arm64": ["metal": .init(name: "llama-b8200-bin-macos-arm64.tar.gz", sha256: published)],
      ], source: nil))

  func installer(_ platform: Platform = .linuxX64) -> LlamaCppInstaller {
    let context = Context.testing(
      system: MemoryFileSystem(roots: ["/"]), environment: [:], processes: StubProcessRunner(),
      files: MemoryFileSystem(roots: ["/home"]))
    return LlamaCppInstaller(context: context, home: RuntimeHome(path: "/home"), releases: Self.releases, platform: platform)
  }

  @Test func theShippedEnginesFileLoadsAndNamesALinuxCPUBuild() throws {
    let releases = try EngineReleases.load(Fixtures.share + "/profiles/engines.yaml", files: try Fixtures.shareFiles())
    #expect(releases.llamaCpp.repository == "ggml-org/llama.cpp")
    let asset = try #require(releases.asset(for: .linuxX64, variant: "cpu"))
    #expect(asset.name == "llama-\(releases.llamaCpp.tag)-bin-ubuntu-x64.tar.gz")
    #expect(releases.variants(for: .linuxX64).first == "cpu")
    #expect(releases.variants(for: .linuxArm64).first == "cpu")
    // Every asset pinned: the mirror's own digest is never the only one.
    let assets = releases.llamaCpp.assets.values.flatMap(\.values)
    #expect(!assets.isEmpty && assets.allSatisfy { $0.sha256.map(EngineReleases.isDigest) == true }, "\(assets)")
  }

  @Test func aBadEnginesFileIsRefusedWithTheReason() throws {
    let folder = "/profiles"
    let files = MemoryFileSystem(roots: [folder])
    for (text, reason) in [
      ("llama.cpp:\n  repository: a/b\n  tag: b1\n  assets:\n    windows-x64:\n      cpu: {name: x.zip}\n", "unknown platform windows-x64"),
      (
        "llama.cpp:\n  repository: a/b\n  tag: b1\n  assets:\n    linux-x86_64:\n      cpu: {name: x.zip, sha256: abc}\n",
        "not 64 hexadecimal"
      ),
      ("llama.cpp:\n  repository: a/b\n  tag: b1\n  assets:\n    linux-x86_64:\n      cpu: {name: x.zip}\n", "x.zip has no sha256"),
      (
        "llama.cpp:\n  repository: a/b\n  tag: b1\n  assets:\n    linux-x86_64:\n      cpu: {name: ../x.zip, sha256: \(Self.published)}\n",
        "not a plain file name"
      ),
      (
        "llama.cpp:\n  repository: a/b\n  tag: ../b1\n  assets:\n    linux-x86_64:\n      cpu: {name: x.zip, sha256: \(Self.published)}\n",
        "the tag a plain name"
      ),
      ("llama.cpp:\n  repository: a/b\n  tag: b1\n  assets: {}\n  source: {name: src.tar.gz}\n", "src.tar.gz has no sha256"),
    ] {
      try files.write(text, to: folder + "/engines.yaml")
      let error = #expect(throws: RuntimeError.self) { try EngineReleases.load(folder + "/engines.yaml", files: files) }
      #expect(error?.description.contains(reason) == true, "\(String(describing: error))")
    }
  }

  @Test func theDefaultVariantIsCPUAndAnUnknownOneNamesTheOthers() throws {
    #expect(try installer().choose(.init()).asset == "llama-b8200-bin-ubuntu-x64.tar.gz")
    #expect(try installer().choose(.init(variant: "vulkan")).asset == "llama-b8200-bin-ubuntu-vulkan-x64.tar.gz")
    let error = #expect(throws: RuntimeError.self) { try installer().choose(.init(variant: "cuda")) }
    #expect(error == .noAsset(tag: "b8200", platform: "linux-x86_64", variant: "cuda", available: ["cpu", "vulkan"]))
    #expect(throws: RuntimeError.self) { try installer(.linuxArm64).choose(.init()) }
  }

  /// The lock is followed (its tag, asset and digest) until `--update`.
  @Test func theLockPinWinsUntilUpdate() throws {
    let pin = ProjectLock.RuntimePin(
      id: "llama.cpp", platform: "linux-x86_64", version: "b8100", variant: "cpu", asset: "llama-b8100-bin-ubuntu-x64.tar.gz",
      sha256: Self.other)
    let followed = try installer().choose(.init(pinned: pin))
    #expect(followed.tag == "b8100" && followed.asset == "llama-b8100-bin-ubuntu-x64.tar.gz" && followed.pinnedDigest == Self.other)
    #expect(try installer().expectedDigest(followed, published: Self.other) == Self.other)
    let moved = #expect(throws: RuntimeError.self) { try installer().expectedDigest(followed, published: Self.published) }
    #expect(moved == .pinMismatch(id: "llama.cpp", platform: "linux-x86_64", pinned: Self.other, found: Self.published))
    #expect(moved?.description.contains("install llama.cpp --update") == true)
    let updated = try installer().choose(.init(pinned: pin, update: true))
    #expect(updated.tag == "b8200" && updated.pinnedDigest == nil)
  }

  /// A mirror serves the release API and the bytes: its digest alone would let it choose both. Only
  /// a pin counts; the published digest must agree with it.
  @Test func onlyAPinnedDigestCountsAndTheReleaseMustAgreeWithIt() throws {
    let unpinned = try installer().choose(.init())
    #expect(throws: RuntimeError.noDigest(asset: unpinned.asset)) { try installer().expectedDigest(unpinned, published: Self.published) }
    #expect(throws: RuntimeError.noDigest(asset: unpinned.asset)) { try installer().expectedDigest(unpinned, published: nil) }
    let configured = try installer(.macosArm64).choose(.init())
    #expect(try installer(.macosArm64).expectedDigest(configured, published: nil) == Self.published)
    #expect(try installer(.macosArm64).expectedDigest(configured, published: Self.published) == Self.published)
    let other = #expect(throws: RuntimeError.self) { try installer(.macosArm64).expectedDigest(configured, published: Self.other) }
    #expect(
      other
        == .digestMismatch(what: "the release's \(configured.asset) (engines.yaml pins it)", expected: Self.published, actual: Self.other))
    // A lock that pins the same asset at other bytes than engines.yaml does is not followed either.
    let pin = ProjectLock.RuntimePin(
      id: "llama.cpp", platform: "macos-arm64", version: "b8200", variant: "metal", asset: configured.asset, sha256: Self.other)
    let disagreeing = try installer(.macosArm64).choose(.init(pinned: pin))
    #expect(throws: RuntimeError.self) { try installer(.macosArm64).expectedDigest(disagreeing, published: Self.other) }
  }

  /// `--from FILE`: the pin for its name decides, whoever gives another digest (`--sha256`, or a
  /// bundle's lock that pins an official asset at other bytes); only a file no pin knows takes
  /// `--sha256`.
  @Test func aFilesPinOutranksAnyDigestThatComesWithIt() throws {
    let official = "llama-b8200-bin-macos-arm64.tar.gz"
    let macOS = installer(.macosArm64)
    #expect(try macOS.fileDigest(named: official, request: .init()) == Self.published)
    #expect(throws: RuntimeError.self) { try macOS.fileDigest(named: official, request: .init(sha256: Self.other)) }
    let tamperedLock = ProjectLock.RuntimePin(
      id: "llama.cpp", platform: "macos-arm64", version: "b8200", variant: "metal", asset: official, sha256: Self.other)
    let refused = #expect(throws: RuntimeError.self) { try macOS.fileDigest(named: official, request: .init(pinned: tamperedLock)) }
    #expect(refused == .pinMismatch(id: "llama.cpp", platform: "macos-arm64", pinned: Self.other, found: Self.published))
    #expect(try macOS.fileDigest(named: "my-build.tar.gz", request: .init(sha256: Self.other.uppercased())) == Self.other)
    #expect(throws: RuntimeError.noDigest(asset: "my-build.tar.gz")) { try macOS.fileDigest(named: "my-build.tar.gz", request: .init()) }
  }

  /// `--build` compiles the source engines.yaml pins (conda-forge's digest of b11266, older than
  /// the release builds), or the one a project's lock pins; with neither it is refused saying how
  /// to pin one.
  @Test func theBuildCompilesAPinnedSource() throws {
    let shipped = try EngineReleases.load(Fixtures.share + "/profiles/engines.yaml", files: try Fixtures.shareFiles())
    let context = Context.testing(
      system: MemoryFileSystem(roots: ["/"]), environment: [:], processes: StubProcessRunner(),
      files: MemoryFileSystem(roots: ["/home"]))
    let installer = LlamaCppInstaller(context: context, home: RuntimeHome(path: "/home"), releases: shipped, platform: .linuxX64)
    let source = try installer.sourceToBuild(pinned: nil)
    #expect(source.tag == "b11266" && source.name == "llama.cpp-b11266.tar.gz")
    #expect(source.sha256 == "442928afeb4687cf562da7a34fe178e55f5bac41cd8cf8d0f7aaadb18d03ade9")
    let locked = ProjectLock.RuntimePin(
      id: "llama.cpp", platform: "linux-x86_64", version: "b11000", variant: "cuda", asset: "llama.cpp-b11000.tar.gz", sha256: Self.other)
    #expect(try installer.sourceToBuild(pinned: locked) == ("b11000", "llama.cpp-b11000.tar.gz", Self.other))
    let refused = #expect(throws: RuntimeError.self) { try self.installer().sourceToBuild(pinned: nil) }
    #expect(refused?.description.contains("source: {name: llama.cpp-TAG.tar.gz, tag: TAG, sha256: HEX}") == true)
  }

  @Test func aCUDABuildIsDecidedByTheGPUAndTheToolkitAndItsCommandsAreBounded() {
    #expect(LlamaCppBuild.decide(requested: true, hasGPU: true, nvcc: "/usr/local/cuda/bin/nvcc") == .build)
    // A GPU without --build takes the release build the variant choice names (CUDA, since b11541).
    #expect(LlamaCppBuild.decide(requested: false, hasGPU: true, nvcc: nil) == .release(note: nil))
    guard case .release(let noToolkit?) = LlamaCppBuild.decide(requested: true, hasGPU: true, nvcc: nil) else {
      Issue.record("--build without nvcc must say so")
      return
    }
    #expect(noToolkit.contains("nvcc"))
    #expect(LlamaCppBuild.decide(requested: false, hasGPU: false, nvcc: nil) == .release(note: nil))
    let build = LlamaCppBuild(source: "/s", folder: "/b", jobs: 2)
    #expect(build.commands[0].contains("-DGGML_CUDA=ON") && build.commands[0].starts(with: ["cmake", "-S", "/s", "-B", "/b"]))
    #expect(build.commands[1] == ["cmake", "--build", "/b", "--config", "Release", "--target", "llama-server", "-j", "2"])
    #expect(LlamaCppBuild(source: "/s", folder: "/b", jobs: 0).jobs == 1)
  }

  @Test func requirementSetsAreNamedByTheirHashAndPipIsToldWhereToLook() throws {
    let set = RequirementSet(
      id: .embedding, path: "/p/runtimes/embedding.txt",
      text:
        "# pinned\ntorch==2.15.0\nnvidia-cublas==13.4.1.3; sys_platform == \"linux\"\ntriton==3.9.0; sys_platform == \"linux\"\nflask==3.1.3\n"
    )
    #expect(set.version == String(set.hash.prefix(12)) && set.hash.count == 64)
    #expect(set.requirements.count == 4)
    let cpu = set.forCPUTorchIndex()
    #expect(cpu.torch == "torch==2.15.0+cpu" && cpu.rest == ["flask==3.1.3"])
    let offline = PipInstall.arguments(requirementsFile: "/r.txt", id: .embedding, wheelhouse: "/wheels", requireHashes: true)
    #expect(offline.suffix(5) == ["--no-index", "--find-links", "/wheels", "-r", "/r.txt"] && offline.contains("--require-hashes"))
    let mirror = PipInstall.torchArguments(requirementsFile: "/t.txt", index: "https://mirror/cpu", wheelhouse: nil, requireHashes: false)
    #expect(mirror.suffix(4) == ["--index-url", "https://mirror/cpu", "-r", "/t.txt"] && mirror.contains("--no-deps"))
    #expect(!mirror.contains("--extra-index-url") && !mirror.contains("--no-index"))
    let postgres = PipInstall.arguments(requirementsFile: "/r.txt", id: .postgresql, wheelhouse: nil, requireHashes: false)
    #expect(postgres.contains("--no-deps") && postgres.contains("--only-binary=:all:") && !postgres.contains("--require-hashes"))
    // The shipped sets pin every requirement exactly, with the hashes of its published files.
    let share = try Fixtures.shareFiles()
    for id in [RuntimeID.embedding, .postgresql, .vllm] {
      let shipped = try RequirementSet.load(id, profiles: Fixtures.share + "/profiles", files: share)
      #expect(!shipped.requirements.isEmpty && shipped.requirements.allSatisfy { $0.contains("==") }, "\(id)")
      let unhashed = shipped.requirements.filter { !$0.contains(" --hash=sha256:") }
      let (count, pinsHashes) = (unhashed.count, shipped.pinsHashes)
      #expect(count == 0 && pinsHashes, "\(id): \(unhashed.prefix(3)) carry no --hash; run scripts/pin-requirements")
    }
  }

  @Test func aLockWithoutRuntimesStillLoadsAndPinsRoundTrip() throws {
    let folder = "/project"
    let files = MemoryFileSystem(roots: [folder])
    try files.write("version: 1\nfiles: []\n", to: folder + "/l")
    var lock = try ProjectLock.load(folder + "/l", files: files)
    #expect(lock.runtimes.isEmpty)
    lock.record(.init(id: "embedding", platform: "linux-x86_64", version: "abc", variant: "pypi", requirements: Self.published))
    lock.record(.init(id: "embedding", platform: "linux-x86_64", version: "def", variant: "pypi", requirements: Self.other))
    try lock.save(folder + "/l", files: files)
    let loaded = try ProjectLock.load(folder + "/l", files: files)
    #expect(loaded.runtimes.count == 1 && loaded.runtime(.embedding, platform: .linuxX64)?.version == "def")
    #expect(loaded.runtime(.embedding, platform: .linuxArm64) == nil)
  }
}
