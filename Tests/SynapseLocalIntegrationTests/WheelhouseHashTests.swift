import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// The real installer and the real pip against a wheelhouse that holds other bytes under a pinned
/// name and version: refused, in one line naming the file and its hash, with nothing kept. The same
/// wheel pinned by its own hash is accepted by pip, so the refusal is the hash's doing.
@Suite("wheelhouse hashes", .tags(.integration))
struct WheelhouseHashTests {
  /// Writes a tiny wheel; prints its sha256, then overwrites it with other bytes under the same
  /// name and prints theirs.
  static let maker = #"""
    import base64, hashlib, os, sys, zipfile
    path = os.path.join(sys.argv[1], "synapse_local_probe-1.0-py3-none-any.whl")
    def wheel(body):
        info = "synapse_local_probe-1.0.dist-info"
        files = {"synapse_local_probe/__init__.py": body,
                 info + "/METADATA": b"Metadata-Version: 2.1\nName: synapse-local-probe\nVersion: 1.0\n",
                 info + "/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
        digest = lambda data: base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record = "".join(f"{name},sha256={digest(data)},{len(data)}\n" for name, data in files.items())
        files[info + "/RECORD"] = (record + info + "/RECORD,,\n").encode()
        with zipfile.ZipFile(path, "w") as z:
            for name, data in files.items():
                z.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), data)
        print(hashlib.sha256(open(path, "rb").read()).hexdigest())
    wheel(b"genuine = True\n")
    wheel(b"genuine = False\n")
    """#

  struct Setup {
    let folder = NSTemporaryDirectory() + "wheelhouse-hash-\(UUID().uuidString.prefix(8))"
    var wheelhouse: String { folder + "/wheels" }
    var wheel: String { wheelhouse + "/synapse_local_probe-1.0-py3-none-any.whl" }
    var genuine = ""
    var served = ""

    init() async throws {
      try FileManager.default.createDirectory(atPath: folder + "/wheels", withIntermediateDirectories: true)
      try FileManager.default.createDirectory(atPath: folder + "/profiles/runtimes", withIntermediateDirectories: true)
      let (status, output) = try await runCommand("/usr/bin/env", ["python3", "-c", WheelhouseHashTests.maker, wheelhouse])
      try #require(status == 0, "python3 could not make the wheel: \(output)")
      let hashes = output.split(whereSeparator: \.isNewline).map(String.init)
      try #require(hashes.count == 2 && hashes[0] != hashes[1], "\(output)")
      (genuine, served) = (hashes[0], hashes[1])
    }

    /// Installs the embedding runtime from the wheelhouse with a requirement file pinning `hash`.
    func install(pinning hash: String) async throws {
      let text = "# a test set\nsynapse-local-probe==1.0 \\\n    --hash=sha256:\(hash)\n"
      try text.write(toFile: folder + "/profiles/runtimes/embedding.txt", atomically: true, encoding: .utf8)
      let context = Context.live()
      let installer = PythonRuntimeInstaller(
        context: context, home: RuntimeHome(path: folder + "/home"), platform: try Platform.current(), profiles: folder + "/profiles")
      _ = try await installer.install(.embedding, request: .init(pinned: nil, force: true, wheelhouse: wheelhouse))
    }

    var installed: [String] { (try? FileManager.default.contentsOfDirectory(atPath: folder + "/home/runtimes/embedding")) ?? [] }
    func remove() { try? FileManager.default.removeItem(atPath: folder) }
  }

  @Test(.timeLimit(.minutes(1)))
  func otherBytesUnderAPinnedNameAreRefusedInOneLine() async throws {
    let setup = try await Setup()
    defer { setup.remove() }
    do {
      try await setup.install(pinning: setup.genuine)
      Issue.record("a wheel whose hash is not pinned was installed")
    } catch let error as RuntimeError {
      guard case .hashMismatch(let id, let requirement, let source, let got, let pins) = error else {
        Issue.record("expected the hash mismatch, got: \(error)")
        return
      }
      #expect(id == "embedding" && requirement == "synapse-local-probe==1.0" && source == setup.wheel && got == setup.served)
      #expect(pins == setup.folder + "/profiles/runtimes/embedding.txt")
      #expect(!error.description.contains("\n") && error.description.contains("sha256 \(setup.served)"), "\(error)")
    }
    #expect(setup.installed.isEmpty, "nothing is kept: \(setup.installed)")
    // Pinned by its own hash, pip installs the same wheel; the runtime's check (sentence-transformers)
    // is what fails then.
    do {
      try await setup.install(pinning: setup.served)
      Issue.record("the probe wheel cannot pass the embedding runtime's check")
    } catch RuntimeError.verificationFailed(let id, _, _) {
      #expect(id == "embedding")
    }
  }
}
