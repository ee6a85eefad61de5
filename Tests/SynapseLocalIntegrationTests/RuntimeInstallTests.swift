import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// `install` for real: release-layout archives built from the test bed's llama-server (tar.gz with
/// a top folder, zip with build/bin/, and a hostile one), served by a GitHub-shaped mirror on
/// loopback, read through a test engines.yaml (SYNAPSE_LOCAL_PROFILES); the Python runtimes from the
/// test bed's wheelhouse; then a stack that runs on installed runtimes alone.
@Suite("install runtimes", .tags(.integration), .serialized)
struct RuntimeInstallTests {
  static let tag = "b8200"
  static let tarball = "llama-\(tag)-bin-ubuntu-x64.tar.gz"
  static let zip = "llama-\(tag)-bin-ubuntu-x64.zip"

  static let maker = #"""
    import os, sys, tarfile, zipfile
    src, out, tag = sys.argv[1], sys.argv[2], sys.argv[3]
    names = ["llama-server"] + sorted(n for n in os.listdir(src) if n.startswith("lib") and ".so" in n)
    top = "llama-" + tag
    release = os.path.join(out, "ggml-org", "llama.cpp", tag)
    os.makedirs(release, exist_ok=True)
    def release_tar(path, extra=None):
        with tarfile.open(path, "w:gz") as t:
            t.add(src, arcname=top, recursive=False)
            for n in names:
                t.add(os.path.join(src, n), arcname=top + "/" + n)  # links stay links
            if extra is not None:
                t.addfile(extra)
    release_tar(os.path.join(release, "llama-%s-bin-ubuntu-x64.tar.gz" % tag))
    with zipfile.ZipFile(os.path.join(release, "llama-%s-bin-ubuntu-x64.zip" % tag), "w", zipfile.ZIP_DEFLATED) as z:
        for n in names:
            info = zipfile.ZipInfo("build/bin/" + n)
            info.external_attr = 0o100755 << 16
            with open(os.path.join(src, n), "rb") as f:
                z.writestr(info, f.read())
    link = tarfile.TarInfo(top + "/lib")
    link.type, link.linkname = tarfile.SYMTYPE, "../../../etc"
    release_tar(os.path.join(out, "hostile.tar.gz"), link)
    """#

  struct Material {
    let root: String
    var mirrorRoot: String { root + "/mirror" }
    var release: String { mirrorRoot + "/ggml-org/llama.cpp/\(RuntimeInstallTests.tag)" }
    var profiles: String { root + "/profiles" }
    var hostile: String { mirrorRoot + "/hostile.tar.gz" }
    func archive(_ name: String) -> String { release + "/" + name }
  }

  /// Made once for the suite: the archives and a profiles folder with a test engines.yaml.
  static let material = Task { () throws -> Material in
    let material = Material(root: NSTemporaryDirectory() + "runtimes-\(UUID().uuidString.prefix(8))")
    let server = try TestBed.require(.llamaServer)
    try FileManager.default.createDirectory(atPath: material.root, withIntermediateDirectories: true)
    let (status, output) = try await runCommand(
      try TestBed.require(.python), ["-c", maker, (server as NSString).deletingLastPathComponent, material.mirrorRoot, tag])
    guard status == 0 else { throw TestFailure("could not build the archives: \(output)") }
    let checkout = ((Fixtures.root as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
    try FileManager.default.copyItem(atPath: checkout + "/profiles", toPath: material.profiles)
    // Pinned as the shipped file pins upstream's assets: the mirror's digest must agree with these.
    try """
    llama.cpp:
      repository: ggml-org/llama.cpp
      tag: \(tag)
      assets:
        linux-x86_64:
          cpu: {name: \(tarball), sha256: \(try sha256(material.archive(tarball)))}
          zip: {name: \(zip), sha256: \(try sha256(material.archive(zip)))}
    """.write(toFile: material.profiles + "/engines.yaml", atomically: true, encoding: .utf8)
    return material
  }

  /// A runtime home of its own, and the environment the CLI runs in: no test-bed program named.
  struct Home {
    let path = NSTemporaryDirectory() + "home-\(UUID().uuidString.prefix(8))"
    let material: Material
    var mirror = ""

    var environment: [String: String] {
      [
        "SYNAPSE_LOCAL_HOME": path, "SYNAPSE_LOCAL_PROFILES": material.profiles, "SYNAPSE_LOCAL_ENGINE_MIRROR": mirror,
        "SYNAPSE_LOCAL_LLAMA_SERVER": "", "SYNAPSE_LOCAL_PYTHON": "", "SYNAPSE_LOCAL_PG_BIN": "",
      ]
    }

    func run(_ arguments: [String], extra: [String: String] = [:]) async throws -> CLIResult {
      try await CLIRunner.run(arguments, environment: environment.merging(extra) { $1 })
    }

    func installed() async throws -> [[String: Any]] {
      let listed = try await run(["install", "--list", "--json"])
      try #require(listed.status == 0, "\(listed.stderr)")
      return try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
    }

    /// What is left of failed installs: nothing in staging, no partial download.
    var leftovers: [String] {
      let staging = (try? FileManager.default.contentsOfDirectory(atPath: path + "/staging")) ?? []
      let partial = ((try? FileManager.default.contentsOfDirectory(atPath: path + "/downloads")) ?? []).filter {
        $0.hasSuffix(".incomplete")
      }
      return staging + partial
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
  }

  static func sha256(_ path: String) throws -> String { try Digest.sha256(ofFile: path, files: RootedFileSystem()) }

  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.python, .llamaServer)))
  func installsFromTheMirrorResumingACutDownload() async throws {
    let material = try await Self.material.value
    let size = try #require(FileManager.default.attributesOfItem(atPath: material.archive(Self.tarball))[.size] as? Int)
    let half = size / 2
    let releases = try await FakeReleases(
      python: try TestBed.require(.python), root: material.mirrorRoot, faults: [Self.tarball: ["cut:\(half)"]])
    var home = Home(material: material)
    home.mirror = releases.mirror
    defer {
      home.remove()
      Task { await releases.stop() }
    }
    let installed = try await home.run(["install", "llama.cpp", "--json"])
    try #require(installed.status == 0, "\(installed.stderr)")
    let manifests = try #require(try JSONSerialization.jsonObject(with: Data(installed.stdout.utf8)) as? [[String: Any]])
    let manifest = try #require(manifests.first)
    let digest = try Self.sha256(material.archive(Self.tarball))
    #expect(manifest["sha256"] as? String == digest)
    #expect(manifest["version"] as? String == Self.tag && manifest["variant"] as? String == "cpu")
    // Cut halfway, then resumed from there on the storage host the release redirected to.
    #expect(releases.downloads == [nil, "bytes=\(half)-"])
    #expect(releases.requests.contains { $0["host"] as? String == "localhost:\(URL(string: releases.mirror)?.port ?? 0)" })
    let server = try #require(manifest["executable"] as? String)
    #expect(server.hasPrefix(home.path + "/runtimes/llama.cpp/\(Self.tag)-cpu-linux-x86_64/"))
    let (devices, output) = try await runCommand(server, ["--list-devices"])
    #expect(devices == 0 && output.contains("Available devices"))

    let listed = try await home.installed()
    #expect(listed.count == 1 && (listed.first?["size_bytes"] as? Int ?? 0) > size)
    #expect((listed.first?["source"] as? String)?.hasPrefix(releases.mirror) == true)
    let again = try await home.run(["install", "llama.cpp"])
    #expect(again.status == 0 && again.stdout.contains("already installed"))
    #expect(releases.downloads.count == 2, "nothing downloaded again")

    // The zip layout (build/bin/) is found the same way.
    let zipped = try await home.run(["install", "llama.cpp", "--variant", "zip", "--json"])
    try #require(zipped.status == 0, "\(zipped.stderr)")
    #expect(zipped.stdout.contains("\(Self.tag)-zip-linux-x86_64/build/bin/llama-server"))
    #expect(home.leftovers.isEmpty)
  }

  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.python, .llamaServer)))
  func aPartialDownloadFromAnEarlierRunIsResumedAndATamperedOneRefused() async throws {
    let material = try await Self.material.value
    let releases = try await FakeReleases(
      python: try TestBed.require(.python), root: material.mirrorRoot, faults: [Self.tarball: ["corrupt"]])
    var home = Home(material: material)
    home.mirror = releases.mirror
    defer {
      home.remove()
      Task { await releases.stop() }
    }
    // The first download arrives with a byte flipped: refused before anything is extracted.
    let tampered = try await home.run(["install", "llama.cpp"])
    #expect(tampered.status == 1)
    #expect(tampered.stderr.contains("does not match its digest") && tampered.stderr.contains(Self.tarball), "\(tampered.stderr)")
    #expect(!FileManager.default.fileExists(atPath: home.path + "/runtimes/llama.cpp"))
    #expect(home.leftovers.isEmpty, "\(home.leftovers)")

    // A partial file left by an earlier run: only the rest is asked for.
    let bytes = try Data(contentsOf: URL(fileURLWithPath: material.archive(Self.tarball)))
    try FileManager.default.createDirectory(atPath: home.path + "/downloads", withIntermediateDirectories: true)
    try bytes.prefix(1_000_000).write(to: URL(fileURLWithPath: home.path + "/downloads/\(Self.tarball).incomplete"))
    let resumed = try await home.run(["install", "llama.cpp"])
    try #require(resumed.status == 0, "\(resumed.stderr)")
    #expect(releases.downloads.last == "bytes=1000000-")
  }

  /// A mirror answers for both the bytes and the release API: serving another (working) archive
  /// under the asset's name, with that archive's own digest published, it is refused by the pin
  /// before a byte is downloaded or run.
  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.python, .llamaServer)))
  func aMirrorThatServesOtherBytesWithTheirDigestIsRefused() async throws {
    let material = try await Self.material.value
    let hostileRoot = material.root + "/hostile-mirror-\(UUID().uuidString.prefix(8))"
    let release = hostileRoot + "/ggml-org/llama.cpp/\(Self.tag)"
    try FileManager.default.createDirectory(atPath: release, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: hostileRoot) }
    try FileManager.default.copyItem(atPath: material.archive(Self.zip), toPath: release + "/" + Self.tarball)
    let releases = try await FakeReleases(python: try TestBed.require(.python), root: hostileRoot)
    var home = Home(material: material)
    home.mirror = releases.mirror
    defer {
      home.remove()
      Task { await releases.stop() }
    }
    let refused = try await home.run(["install", "llama.cpp"])
    #expect(refused.status == 1, "\(refused.stdout)")
    let pinned = try Self.sha256(material.archive(Self.tarball))
    #expect(
      refused.stderr.contains("the release's \(Self.tarball) (engines.yaml pins it) does not match its digest")
        && refused.stderr.contains(pinned), "\(refused.stderr)")
    #expect(releases.downloads.isEmpty, "nothing downloaded")
    #expect(!FileManager.default.fileExists(atPath: home.path + "/runtimes/llama.cpp") && home.leftovers.isEmpty)
  }

  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.python, .llamaServer)))
  func aFileIsCheckedAgainstAKnownDigestAndAHostileOneLeavesNothing() async throws {
    let material = try await Self.material.value
    let home = Home(material: material)
    defer { home.remove() }
    let zip = material.archive(Self.zip)
    // A build of one's own, under a name engines.yaml does not know: only --sha256 vouches for it.
    let ownBuild = home.path + "-own/my-llama-build.zip"
    try FileManager.default.createDirectory(atPath: home.path + "-own", withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: home.path + "-own") }
    try FileManager.default.copyItem(atPath: zip, toPath: ownBuild)
    let unknown = try await home.run(["install", "llama.cpp", "--from", ownBuild])
    #expect(
      unknown.status == 1 && unknown.stderr.contains("no SHA-256 is known") && unknown.stderr.contains("--sha256"), "\(unknown.stderr)")
    let wrong = try await home.run(["install", "llama.cpp", "--from", ownBuild, "--sha256", String(repeating: "0", count: 64)])
    #expect(wrong.status == 1 && wrong.stderr.contains("does not match its digest"))
    let ownDigest = try Self.sha256(zip)
    let own = try await home.run(["install", "llama.cpp", "--from", ownBuild, "--sha256", ownDigest])
    #expect(own.status == 0 && own.stdout.contains("installed llama.cpp custom-\(ownDigest.prefix(12))"), "\(own.stderr)")
    // A release asset engines.yaml pins: its pin counts, and a --sha256 that names other bytes is
    // refused, even one that matches the file (a file and its digest from the same hand).
    let outranked = try await home.run(["install", "llama.cpp", "--from", zip, "--sha256", String(repeating: "0", count: 64)])
    #expect(
      outranked.status == 1 && outranked.stderr.contains("--sha256 for \(Self.zip) (the lock or engines.yaml pins it)"),
      "\(outranked.stderr)")
    let right = try await home.run(["install", "llama.cpp", "--from", zip])
    #expect(right.status == 0 && right.stdout.contains("installed llama.cpp \(Self.tag) (zip"), "\(right.stderr)")

    let hostile = try await home.run(["install", "llama.cpp", "--from", material.hostile, "--sha256", try Self.sha256(material.hostile)])
    #expect(hostile.status == 1)
    #expect(hostile.stderr.contains("llama-\(Self.tag)/lib") && hostile.stderr.contains("nothing was extracted"), "\(hostile.stderr)")
    #expect(home.leftovers.isEmpty, "\(home.leftovers)")
    let remaining = try await home.installed()
    #expect(remaining.count == 2, "only the zip installs, under their own name and under the release's")
    let badArguments = try await home.run(["install", "embedding", "--from", zip])
    #expect(badArguments.status == 1 && badArguments.stderr.contains("--from takes a llama.cpp release archive"))
    // vLLM only where a GPU qualifies: a laptop without one is told why, and how to go on.
    let vllm = try await home.run(["install", "vllm"], extra: ["SYNAPSE_LOCAL_SYSROOT": Fixtures.machine("laptop-v2")])
    #expect(vllm.status == 1 && vllm.stderr.contains("vLLM needs an NVIDIA GPU") && vllm.stderr.contains("--force"), "\(vllm.stderr)")
    let ollama = try await home.run(["install", "ollama"])
    #expect(ollama.status == 1 && ollama.stderr.contains("unknown runtime or service 'ollama'"))
  }

  /// The lock pins what a project installed; uninstall keeps it unless forced; a release whose
  /// digest moved is refused until --update.
  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.python, .llamaServer)))
  func theLockPinsWhatAProjectInstalled() async throws {
    let material = try await Self.material.value
    let releases = try await FakeReleases(python: try TestBed.require(.python), root: material.mirrorRoot)
    var home = Home(material: material)
    home.mirror = releases.mirror
    let project = home.path + "-project"
    defer {
      home.remove()
      try? FileManager.default.removeItem(atPath: project)
      Task { await releases.stop() }
    }
    let initialized = try await home.run(["init", "--profile", "demo", "--project", project])
    try #require(initialized.status == 0, "\(initialized.stderr)")
    #expect(!(try String(contentsOfFile: project + "/synapse-local.yaml", encoding: .utf8)).contains("\nbinaries:"), "no PATH look-ups")
    let installed = try await home.run(["install", "llm", "--project", project])
    try #require(installed.status == 0, "\(installed.stderr)")
    let lock = try ProjectLock.load(project + "/synapse-local.lock", files: RootedFileSystem())
    let pin = try #require(lock.runtime(.llamaCpp, platform: .linuxX64))
    let digest = try Self.sha256(material.archive(Self.tarball))
    #expect(pin.version == Self.tag && pin.asset == Self.tarball && pin.sha256 == digest)

    let kept = try await home.run(["uninstall", "llama.cpp"])
    #expect(kept.status == 1 && kept.stderr.contains("pinned by \(project)/synapse-local.lock"), "\(kept.stderr)")

    // The pin names other bytes than the release now publishes.
    var moved = lock
    moved.record(
      .init(
        id: "llama.cpp", platform: "linux-x86_64", version: Self.tag, variant: "cpu", asset: Self.tarball,
        sha256: String(repeating: "e", count: 64)))
    try moved.save(project + "/synapse-local.lock", files: RootedFileSystem())
    let refused = try await home.run(["install", "llama.cpp", "--project", project, "--force"])
    #expect(refused.status == 1 && refused.stderr.contains("--update"), "\(refused.stderr)")
    let updated = try await home.run(["install", "llama.cpp", "--project", project, "--force", "--update"])
    #expect(updated.status == 0, "\(updated.stderr)")
    let repinned = try ProjectLock.load(project + "/synapse-local.lock", files: RootedFileSystem()).runtime(.llamaCpp, platform: .linuxX64)
    #expect(repinned?.sha256 == pin.sha256)

    let forced = try await home.run(["uninstall", "llama.cpp", "--force", "--json"])
    #expect(forced.status == 0 && forced.stdout.contains("\"version\" : \"\(Self.tag)\""), "\(forced.stderr)")
    let left = try await home.installed()
    #expect(left.isEmpty)
  }

  /// From nothing: llama.cpp installed from its release archive (`install llama.cpp --from FILE`)
  /// before the project exists, then `init`; the Python runtimes from the wheelhouse (the embedding
  /// runtime checked by loading the project's model); then `up` runs the installed llama.cpp, with
  /// no release mirror to reach (a closed port), pins it in the lock, and the stack answers, with
  /// no test-bed program named anywhere and no llama-server on PATH.
  @Test(
    .timeLimit(.minutes(9)), .enabled(if: TestBed.shouldRun(.python, .llamaServer, .wheelhouse, .smolLM2, .miniLM, .gemma3, .postgresBin)))
  func theStackRunsOnInstalledRuntimesAlone() async throws {
    let material = try await Self.material.value
    var home = Home(material: material)
    // Nothing listens there: an install from GitHub or a mirror would fail.
    home.mirror = "http://127.0.0.1:9"
    let stack = try StackTests.Stack()
    defer { home.remove() }
    let inherited = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    #expect(inherited.split(separator: ":").allSatisfy { !FileManager.default.isExecutableFile(atPath: "\($0)/llama-server") })
    let environment = ["HF_HUB_CACHE": stack.store, "HF_HUB_OFFLINE": "1", "PATH": inherited]
    let engine = try await home.run(["install", "llama.cpp", "--from", material.archive(Self.tarball)], extra: environment)
    try #require(engine.status == 0, "\(engine.stderr)")
    try await stack.create()

    let python = try await home.run(
      ["install", "embedding", "db", "--wheelhouse", try TestBed.require(.wheelhouse), "--project", stack.project], extra: environment)
    try #require(python.status == 0, "\(python.stderr)")
    // Its size is said before pip runs: the wheels' bytes, and the CUDA libraries' share.
    let sized = (python.stdout + python.stderr).split(separator: "\n").first { $0.hasPrefix("installing embedding:") }
    #expect(sized?.contains("GiB of wheels") == true, "\(python.stdout)")
    let listed = try await home.installed()
    let postgres = try #require(listed.first { $0["id"] as? String == "postgresql" })
    #expect(
      postgres["variant"] as? String == "pgserver" && (postgres["reason"] as? String)?.contains("pgserver wheel") == true, "\(postgres)")
    let embedding = try #require(listed.first { $0["id"] as? String == "embedding" })
    let wheelhouse = try TestBed.require(.wheelhouse)
    #expect(embedding["source"] as? String == wheelhouse)

    do {
      let up = try await home.run(["up", "-d", "--project", stack.project], extra: environment)
      try #require(up.status == 0, "\(up.stderr)")
      #expect(!up.stderr.contains("installing what the project needs"), "\(up.stderr)")
      let digest = try Self.sha256(material.archive(Self.tarball))
      let folder = RuntimeHome(path: home.path).folder(.llamaCpp, version: Self.tag, variant: "cpu", platform: try Platform.current())
      #expect(
        up.stderr.contains("using the installed llama.cpp \(Self.tag) (cpu) in \(folder), now pinned in synapse-local.lock"), "\(up.stderr)"
      )
      let answer = try await stack.ask("What is the capital of France?")
      #expect(!(answer["answer"] as? String ?? "").isEmpty, "\(answer)")
      // The engine that answers is the installed one, now the lock's pin.
      let status = try await stack.status()
      let llm = try #require(status.services.first { $0.name == .llm })
      #expect(llm.programSource == "runtime llama.cpp \(Self.tag) (cpu), pinned by the lock", "\(String(describing: llm.programSource))")
      let lock = try ProjectLock.load(stack.project + "/synapse-local.lock", files: RootedFileSystem())
      #expect(lock.runtimes.map(\.id).sorted() == ["embedding", "llama.cpp", "postgresql"])
      let pin = try #require(lock.runtime(.llamaCpp, platform: try Platform.current()))
      #expect(pin.version == Self.tag && pin.variant == "cpu" && pin.asset == Self.tarball && pin.sha256 == digest, "\(pin)")
      try await Self.carryToAnAirGappedHost(stack, home: home, environment: environment)
    } catch {
      await stack.remove()
      throw error
    }
    await stack.remove()
  }
}
