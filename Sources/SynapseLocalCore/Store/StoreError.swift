import SynapseLocalSystem

public enum StoreError: Error, Equatable, CustomStringConvertible {
  case unreadable(path: String, reason: String)
  case unwritable(path: String, reason: String)
  case badRepository(String)
  case badPathInRepository(String)
  case notInStore(String)
  case importSourceMissing(String)
  /// A REF that cannot serve where it was given (a local path to pull, a file where a repository is meant).
  case unusableReference(String)
  case gated(repository: String)
  case repositoryNotFound(repository: String, hasToken: Bool)
  case entryNotFound(repository: String, path: String, revision: String)
  case revisionNotFound(repository: String, revision: String)
  case hubError(url: String, status: Int, message: String)
  /// A value in a Hub's answer that would become part of a path and has not the shape it must.
  case hubValueRefused(url: String, what: String, value: String)
  /// A download (from the Hub's CDN or a release mirror) that failed or was given up.
  case downloadFailed(url: String, status: Int, message: String)
  case digestMismatch(path: String, expected: String, actual: String)
  case offline(String)
  /// The Hub's host does not resolve: what works without a network, instead of a retry.
  case hubUnresolvable(host: String)
  case diskFull(path: String, needed: UInt64, free: UInt64)
  case badLock(path: String, reason: String)
  case lockMismatch(file: String, pinned: String, pinnedCommit: String, found: String, foundCommit: String)
  /// `models import` of bytes other than those the catalog or the lock pins at that place.
  case importDigestRefused(source: String, target: String, sha256: String, pinnedBy: String, pinned: String)
  /// `models import FILE --as ORG/REPO` of a file the catalog knows under another name there.
  case importNameRefused(source: String, repository: String, name: String, expected: [String])
  /// `models rm` of a repository a project's lock pins.
  case removalPinned(repository: String, lock: String, files: Int)

  public var description: String {
    switch self {
    case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
    case .unwritable(let path, let reason):
      "cannot write \(path): \(reason); check the permissions and free space of the model store (HF_HUB_CACHE)"
    case .unusableReference(let reason): reason
    case .badRepository(let text): "'\(text)' is not a repository: give ORG/REPO (for example sentence-transformers/all-MiniLM-L6-v2)"
    case .badPathInRepository(let text):
      "'\(text)' is not a safe path inside a repository: it must be relative, without '..' or empty parts"
    case .notInStore(let what): "\(what) is not in the model store; `synapse-local models list` shows what is"
    case .importSourceMissing(let path): "\(path) does not exist; give a file or folder to import"
    case .gated(let repository):
      "\(repository) is gated: accept its licence on its Hugging Face page, then set HF_TOKEN (or run `hf auth login`) with a token of that account"
    case .repositoryNotFound(let repository, let hasToken):
      hasToken
        ? "\(repository) does not exist, or this token cannot see it; check the name"
        : "\(repository) does not exist or is private; check the name, or set HF_TOKEN for a private repository"
    case .entryNotFound(let repository, let path, let revision): "\(repository) has no file \(path) at \(revision)"
    case .revisionNotFound(let repository, let revision): "\(repository) has no revision \(revision); give a branch, tag or commit it has"
    case .hubError(let url, let status, let message): "the Hub answered \(status) for \(url)\(message.isEmpty ? "" : ": \(message)")"
    case .hubValueRefused(let url, let what, let value):
      "refused the \(what) \(PathSafety.quoted(value)) from \(url): it is not what a Hugging Face Hub sends and would become a path in the model store; nothing was written. Check HF_ENDPOINT"
    case .downloadFailed(let url, let status, let message):
      status == 0 ? "downloading \(url) failed: \(message)" : "\(url) answered \(status)\(message.isEmpty ? "" : ": \(message)")"
    case .digestMismatch(let path, let expected, let actual):
      "\(path) arrived corrupted: expected digest \(expected), got \(actual); nothing was stored, run the command again"
    case .diskFull(let path, let needed, let free):
      "not enough disk space for the download: it needs \(ByteCount.format(needed)) (plus 64 MiB to spare), \(path) has \(ByteCount.format(free)) free; free space or set HF_HUB_CACHE to a larger disk"
    case .badLock(let path, let reason): "\(path) is not a synapse-local lock file (\(reason)); fix it or delete it to start a new one"
    case .lockMismatch(let file, let pinned, let pinnedCommit, let found, let foundCommit):
      "\(file) is pinned by synapse-local.lock at \(pinned) (commit \(pinnedCommit.prefix(12))) but the Hub now serves \(found) (commit \(foundCommit.prefix(12))); pass --update to accept the new file, or pull @\(pinnedCommit) for the pinned one"
    case .hubUnresolvable(let host):
      "cannot resolve \(host): this machine has no network or no DNS. Without one: `synapse-local models import FILE --as ORG/REPO/FILE` a file you have, `synapse-local bundle import` a bundle made on a connected machine, or HF_HUB_OFFLINE=1 to use what the store has (HF_ENDPOINT names a mirror)"
    case .importDigestRefused(let source, let target, let sha256, let pinnedBy, let pinned):
      "refused to import \(source) as \(target): its SHA-256 is \(sha256), but \(pinnedBy) pins that file at \(pinned), so it is another file; nothing was imported (--force imports it anyway)"
    case .importNameRefused(let source, let repository, let name, let expected):
      "refused to import \(source) as \(repository)/\(name): the catalog expects \(expected.count == 1 ? "" : "one of ")\(expected.map { "\(repository)/\($0)" }.joined(separator: ", ")) there; give that with --as (--force imports it as \(name))"
    case .removalPinned(let repository, let lock, let files):
      "\(repository) is pinned by \(lock) (\(files) file(s)): the project uses it, and would fetch it again; pass --force to remove it anyway"
    case .offline(let what):
      "HF_HUB_OFFLINE is set and \(what) is not in the model store; unset it to download, or `models import` the files"
    }
  }
}
