import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// The model store's fill script, run for real by `/bin/sh` with stand-in `pip`, `hf` and
/// `sha256sum` that record their arguments: file names from a lock (or `models import`) are data,
/// never shell code, and reach the tools as the very words the lock holds. (A real shell and real
/// files: moved here from the unit tests' `StoreFillScriptTests`, whose stack it repeats.)
@Suite("model store fill script, run", .tags(.integration))
struct StoreFillScriptRunTests {
  /// Names that would run `touch` if the shell read them as code, or break a quoted word.
  static let hostile = [
    "m$(touch pwned).gguf", "sub dir/`touch pwned-backtick` it's \"q\" *.gguf", "$(touch pwned-pulled) ${HOME}.gguf",
  ]

  static func stack(_ files: [KubernetesStack.StoreFile]) throws -> KubernetesStack {
    KubernetesStack(
      configuration: ProjectConfiguration(), request: KubernetesRequest(project: "/p", output: "/o"), images: try Fixtures.images(),
      services: [:], llmPath: "", embeddingPath: "", llmArguments: [], llmOnGPU: false, gpusPerPod: 0, multiNode: nil,
      llmMemoryBytes: 0, embeddingMemoryBytes: 0, llmCPUs: 1, embeddingCPUs: 1, dbMemoryBytes: 0, backendMemoryBytes: 0,
      frontendMemoryBytes: 0, backendEnvironment: [], storeFiles: files)
  }

  @Test(.timeLimit(.minutes(1))) func fileNamesAreNeverRunAndReachTheToolsLiterally() async throws {
    let commit = String(repeating: "c", count: 40)
    let files = [
      KubernetesStack.StoreFile(
        repository: "org/a", commit: commit, path: Self.hostile[0], size: 1, sha256: String(repeating: "a", count: 64), revision: "main",
        imported: true),
      KubernetesStack.StoreFile(
        repository: "org/b", commit: commit, path: Self.hostile[1], size: 1, sha256: String(repeating: "b", count: 64), revision: "v1",
        imported: true),
      KubernetesStack.StoreFile(repository: "org/c", commit: commit, path: Self.hostile[2], size: 1, sha256: nil),
    ]
    let script = KubernetesManifests(stack: try Self.stack(files)).fillScript()

    let scratch = NSTemporaryDirectory() + "synapse-local-fill-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    let (bin, store, work, log) = (scratch + "/bin", scratch + "/store", scratch + "/work", scratch + "/log")
    for folder in [bin, store, work, log] { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
    // Each stand-in writes its arguments, one per line, to a file of its own per call. `hf` then
    // does what the real one does for one file: the file in a snapshot of the Hub's commit, and
    // its path as the last line.
    let record = "n=$(ls \"$LOG\" | wc -l); printf '%s\\n' \"$(basename \"$0\")\" \"$@\" > \"$LOG/$n\""
    let standIns = [
      "pip": record,
      "sha256sum": record,
      "hf": record + "\n"
        + #"""
        case "$*" in *--quiet*) ;; *) exit 0 ;; esac
        dir="$7/models--$(printf %s "$2" | sed 's#/#--#g')/snapshots/hub0"
        mkdir -p "$(dirname "$dir/$3")"; : > "$dir/$3"
        printf 'fetching\n%s\n' "$dir/$3"
        """#,
    ]
    for (name, body) in standIns {
      try ("#!/bin/sh\n" + body + "\n").write(toFile: bin + "/" + name, atomically: true, encoding: .utf8)
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/" + name)
    }
    // The store's mount point (`/models`, as a word or a folder, not `models--` in a name) is this
    // test's folder.
    #expect(KubernetesManifests.storeMount == "/models")
    let runnable = script.replacing(#/\/models(?=[\/\s])/#, with: store)
    try runnable.write(toFile: scratch + "/fill.sh", atomically: true, encoding: .utf8)
    let marker = scratch + "/done/fill"
    let (status, output) = try await runCommand(
      "/bin/sh", ["-c", "cd \"$1\" && exec /bin/sh \"$2\"", "sh", work, scratch + "/fill.sh"],
      environment: ["PATH": bin + ":/usr/bin:/bin", "LOG": log, "FILL_MARKER": marker, "HOME": scratch])
    #expect(status == 0, "\(output)\n\(runnable)")

    // Nothing ran: no file `touch` would have made, in the working folder or the store.
    for folder in [work, store, scratch] {
      let made = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("pwned") }
      #expect(made.isEmpty, "\(folder): \(made)")
    }
    #expect(FileManager.default.fileExists(atPath: marker), "the fill finished")

    // The tools got the lock's words, whole.
    let calls = try FileManager.default.contentsOfDirectory(atPath: log).sorted { Int($0)! < Int($1)! }.map {
      try String(contentsOfFile: log + "/" + $0, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        .map(String.init)
    }
    let downloads = calls.filter { $0.first == "hf" }
    #expect(
      downloads == [
        ["hf", "download", "org/a", Self.hostile[0], "--revision", "main", "--cache-dir", store, "--quiet"],
        ["hf", "download", "org/b", Self.hostile[1], "--revision", "v1", "--cache-dir", store, "--quiet"],
        ["hf", "download", "org/c", Self.hostile[2], "--revision", commit, "--cache-dir", store],
      ], "\(calls)")
    #expect(calls.contains(["sha256sum", "-c", "/fill/sha256sums"]), "\(calls)")
    // Each imported snapshot is linked, under the locked commit, to the folder the Hub's holds
    // (the file's own path stripped literally, sub-folder and all).
    for repository in ["org--a", "org--b"] {
      let link = store + "/models--\(repository)/snapshots/\(commit)"
      let target = try FileManager.default.destinationOfSymbolicLink(atPath: link)
      #expect(target == store + "/models--\(repository)/snapshots/hub0", "\(repository): \(target)")
    }
  }
}
