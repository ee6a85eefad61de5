import Foundation
import SynapseLocalSystem

/// Why a runtime was not installed, found or removed: one line saying what to do.
public enum RuntimeError: Error, Equatable, CustomStringConvertible {
  case unknownRuntime(String)
  case unreadableProfile(path: String, reason: String)
  case unsupportedPlatform(String)
  case noAsset(tag: String, platform: String, variant: String, available: [String])
  case noDigest(asset: String)
  case digestMismatch(what: String, expected: String, actual: String)
  case pinMismatch(id: String, platform: String, pinned: String, found: String)
  case releaseUnavailable(url: String, status: Int, message: String)
  case noServerInArchive(archive: String)
  case verificationFailed(id: String, command: String, output: String)
  case pythonMissing
  case pythonTooOld(path: String, version: String)
  case installFailed(id: String, command: String, output: String)
  /// pip was served a file whose hash the requirement file does not pin.
  case hashMismatch(id: String, requirement: String, source: String, got: String, pins: String)
  /// No vLLM line fits this machine, or the one that fits is not pinned here: the whole line says why.
  case vllmRefused(String)
  case buildUnavailable(reason: String)
  case notInstalled(String)
  case pinnedByProject(id: String, version: String, lock: String)
  case fromNeedsArchiveRuntime(String)
  case missingRuntimes(ids: [String], command: String)
  case wheelhouseMissing(String)

  public var description: String {
    switch self {
    case .unknownRuntime(let name):
      "unknown runtime or service '\(name)'; give a runtime (llama.cpp, vllm, embedding, postgresql) or a service (llm, embedding, db)"
    case .unreadableProfile(let path, let reason): "\(path) cannot be read: \(reason); fix it, or unset SYNAPSE_LOCAL_PROFILES"
    case .unsupportedPlatform(let what):
      "no runtimes are published for \(what); the platforms are linux-x86_64, linux-aarch64 and macos-arm64"
    case .noAsset(let tag, let platform, let variant, let available):
      available.isEmpty
        ? "llama.cpp \(tag) publishes no build for \(platform); build it (install llama.cpp --build), or set binaries.llama_server"
        : "llama.cpp \(tag) has no \(variant) build for \(platform); available: \(available.joined(separator: ", ")) (--variant)"
    case .noDigest(let asset):
      "no SHA-256 is known for \(asset) (the release publishes none, and neither engines.yaml nor the lock pins one); refused. Pass --sha256 HEX for a file you trust"
    case .digestMismatch(let what, let expected, let actual):
      "\(what) does not match its digest: expected \(expected), got \(actual); nothing was installed (a corrupted or tampered file: fetch it again)"
    case .pinMismatch(let id, let platform, let pinned, let found):
      "the project's lock pins \(id) for \(platform) at \(pinned), but the release now offers \(found); run `synapse-local install \(id) --update` to accept it"
    case .releaseUnavailable(let url, let status, let message):
      status == 0
        ? "cannot reach \(url): \(message); check the network, set SYNAPSE_LOCAL_ENGINE_MIRROR, or install from a file (--from ARCHIVE)"
        : "\(url) answered \(status)\(message.isEmpty ? "" : ": \(message)"); check the tag in engines.yaml or SYNAPSE_LOCAL_ENGINE_MIRROR"
    case .noServerInArchive(let archive): "\(archive) holds no llama-server; give a llama.cpp release archive"
    case .verificationFailed(let id, let command, let output):
      "the \(id) runtime was installed but does not work: `\(command)` said: \(Self.oneLine(output)); nothing was kept"
    case .pythonMissing: "python3 (3.10 or newer) is not on PATH; install it (Debian: apt install python3 python3-venv) and run again"
    case .pythonTooOld(let path, let version):
      "\(path) is Python \(version); the Python runtimes need 3.10 or newer: install a newer python3 and put it first on PATH"
    case .installFailed(let id, let command, let output):
      "installing \(id) failed: `\(command)` said: \(Self.oneLine(output)); nothing was kept"
    case .hashMismatch(let id, let requirement, let source, let got, let pins):
      "installing \(id) refused: \(requirement) from \(source) has sha256 \(got), a hash \(pins) does not pin (a tampered or substituted file); nothing was kept"
    case .vllmRefused(let reason): reason
    case .buildUnavailable(let reason): "cannot build llama.cpp here: \(reason)"
    case .notInstalled(let what): "\(what) is not installed; `synapse-local install --list` shows what is"
    case .pinnedByProject(let id, let version, let lock):
      "\(id) \(version) is pinned by \(lock); remove it there first, or pass --force to remove it anyway"
    case .fromNeedsArchiveRuntime(let id):
      "--from takes a llama.cpp release archive; \(id) is installed from wheels (--wheelhouse DIR)"
    case .wheelhouseMissing(let path): "the wheelhouse \(path) is not a folder; give the folder of wheels (pip download -d DIR)"
    case .missingRuntimes(let ids, let command):
      "\(ids.joined(separator: ", ")) \(ids.count == 1 ? "is" : "are") not installed and --no-install was given; run `\(command)` first"
    }
  }

  /// A program's output as one line of an error.
  static func oneLine(_ output: String) -> String {
    let lines = output.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    return lines.isEmpty ? "nothing" : lines.joined(separator: " / ")
  }
}
