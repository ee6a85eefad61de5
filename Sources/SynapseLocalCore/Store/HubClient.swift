import Foundation
import SynapseLocalSystem

/// The Hub's download protocol: `HEAD /{repo}/resolve/{rev}/{path}` for a file's commit, etag, size
/// and (for LFS files) CDN location; `/api/models/{repo}/revision/{rev}?blobs=true` for a listing.
public struct HubClient: Sendable {
  public var endpoint: String
  public var token: String?
  public var transport: any HTTPTransport
  public var retry: RetryPolicy

  public init(endpoint: String, token: String?, transport: any HTTPTransport, retry: RetryPolicy) {
    self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
    self.token = token
    self.transport = transport
    self.retry = retry
  }

  /// A metadata or API request, tried again after connection errors, 429 and 5xx; a host that
  /// does not resolve fails at once, saying what works offline.
  func sendRetrying(_ request: HTTPRequest) async throws -> HTTPResponse {
    do {
      return try await transport.sendRetrying(request, policy: retry)
    } catch HTTPError.unresolvable(_, let host) {
      throw StoreError.hubUnresolvable(host: host)
    }
  }

  /// `HF_ENDPOINT` (default https://huggingface.co); the token from `HF_TOKEN`, else the file
  /// huggingface_hub writes (`$HF_TOKEN_PATH`, else `$HF_HOME/token`, else `~/.cache/huggingface/token`).
  public static func live(environment: [String: String], transport: any HTTPTransport, time: any TimeSource) -> HubClient {
    let endpoint = environment["HF_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://huggingface.co"
    var token = environment["HF_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    if token == nil {
      let home = environment["HF_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (environment["HOME"] ?? "/root") + "/.cache/huggingface"
      let path = environment["HF_TOKEN_PATH"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/token"
      token = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
      if token?.isEmpty == true { token = nil }
    }
    return HubClient(endpoint: endpoint, token: token, transport: transport, retry: RetryPolicy(time: time))
  }

  public struct FileMetadata: Sendable, Equatable {
    public var commit: String
    /// SHA-256 for LFS files, git blob SHA-1 otherwise.
    public var etag: String
    public var size: UInt64
    /// Where the bytes are: the CDN for LFS files, the resolve URL itself otherwise.
    public var location: String
    public var isLFS: Bool
  }

  public struct Listing: Sendable {
    public var commit: String
    public var files: [(path: String, size: UInt64?)]
  }

  var authorization: [String: String] { token.map { ["Authorization": "Bearer \($0)"] } ?? [:] }

  static func escape(_ component: String) -> String {
    component.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "?#"))) ?? component
  }

  public func resolveURL(_ repository: RepositoryID, revision: String, path: String) -> String {
    "\(endpoint)/\(repository)/resolve/\(Self.escape(revision).replacingOccurrences(of: "/", with: "%2F"))/\(Self.escape(path))"
  }

  public func metadata(_ repository: RepositoryID, revision: String, path: String) async throws -> FileMetadata {
    let url = resolveURL(repository, revision: revision, path: path)
    let response = try await sendRetrying(
      HTTPRequest(url: url, method: "HEAD", headers: authorization.merging(["Accept-Encoding": "identity"]) { $1 }))
    try check(response, url: url, repository: repository, revision: revision, path: path)
    guard let commit = response.header("X-Repo-Commit") else {
      throw StoreError.hubError(url: url, status: response.status, message: "no X-Repo-Commit header: is HF_ENDPOINT a Hugging Face Hub?")
    }
    // Both become paths in the cache (snapshots/<commit>, blobs/<etag>): a hostile mirror's
    // `../..` must not get that far.
    guard PathSafety.isCommit(commit) else { throw StoreError.hubValueRefused(url: url, what: "commit (X-Repo-Commit)", value: commit) }
    let linked = response.header("X-Linked-Etag")
    guard let etag = Self.unquote(linked ?? response.header("ETag") ?? ""), !etag.isEmpty else {
      throw StoreError.hubError(url: url, status: response.status, message: "no ETag for the file")
    }
    guard PathSafety.isEtag(etag) else { throw StoreError.hubValueRefused(url: url, what: "etag", value: etag) }
    guard let size = UInt64(response.header("X-Linked-Size") ?? response.header("Content-Length") ?? "") else {
      throw StoreError.hubError(url: url, status: response.status, message: "no size for the file")
    }
    var location = url
    if (300..<400).contains(response.status), let target = response.header("Location") {
      location = target.hasPrefix("/") ? endpoint + target : target
    }
    return FileMetadata(commit: commit, etag: etag, size: size, location: location, isLFS: linked != nil)
  }

  public func listing(_ repository: RepositoryID, revision: String) async throws -> Listing {
    let url = "\(endpoint)/api/models/\(repository)/revision/\(Self.escape(revision).replacingOccurrences(of: "/", with: "%2F"))?blobs=true"
    let response = try await sendRetrying(HTTPRequest(url: url, headers: authorization))
    try check(response, url: url, repository: repository, revision: revision, path: nil)
    guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
      let commit = object["sha"] as? String, let siblings = object["siblings"] as? [[String: Any]]
    else { throw StoreError.hubError(url: url, status: response.status, message: "the listing is not the Hub's JSON") }
    guard PathSafety.isCommit(commit) else { throw StoreError.hubValueRefused(url: url, what: "commit (sha)", value: commit) }
    var files: [(path: String, size: UInt64?)] = []
    for sibling in siblings {
      guard let name = sibling["rfilename"] as? String else { continue }
      // A listed name becomes snapshots/<commit>/<name>; one unsafe name refuses the listing.
      guard PathSafety.isRelativePath(name) else { throw StoreError.hubValueRefused(url: url, what: "file name", value: name) }
      files.append((name, (sibling["size"] as? NSNumber)?.uint64Value))
    }
    return Listing(commit: commit, files: files)
  }

  /// The bytes `range` of the file at `location` (following the Hub's redirect to the CDN first).
  /// A server that ignores Range is refused rather than read whole.
  public func fetch(_ location: String, range: ClosedRange<UInt64>) async throws -> [UInt8] {
    var headers = downloadHeaders(for: location, from: 0)
    headers["Range"] = "bytes=\(range.lowerBound)-\(range.upperBound)"
    let collected = ByteCollector()
    let response = try await transport.send(HTTPRequest(url: location, headers: headers)) { status, chunk in
      guard status == 206 else {
        throw StoreError.hubError(url: location, status: status, message: "the server does not support Range requests")
      }
      try collected.append(chunk, limit: Int(range.upperBound - range.lowerBound + 1))
    }
    guard response.status == 206 else {
      throw StoreError.hubError(
        url: location, status: response.status, message: response.header("X-Error-Message") ?? "expected 206 Partial Content")
    }
    return collected.bytes
  }

  /// Headers to fetch a file's bytes from `location`: the token only goes to the endpoint's own host.
  /// Bytes from `offset` to the end, or through `last`.
  public func downloadHeaders(for location: String, from offset: UInt64, through last: UInt64? = nil) -> [String: String] {
    var headers = ResumableDownload.plainHeaders(location, offset, last)
    if URLComponents(string: location)?.host == URLComponents(string: endpoint)?.host {
      headers.merge(authorization) { $1 }
    }
    return headers
  }

  func check(_ response: HTTPResponse, url: String, repository: RepositoryID, revision: String, path: String?) throws {
    guard response.status >= 400 else { return }
    switch response.header("X-Error-Code") {
    case "GatedRepo": throw StoreError.gated(repository: repository.description)
    case "RepoNotFound": throw StoreError.repositoryNotFound(repository: repository.description, hasToken: token != nil)
    case "EntryNotFound": throw StoreError.entryNotFound(repository: repository.description, path: path ?? "", revision: revision)
    case "RevisionNotFound": throw StoreError.revisionNotFound(repository: repository.description, revision: revision)
    default:
      if response.status == 401 || response.status == 403 { throw StoreError.gated(repository: repository.description) }
      throw StoreError.hubError(url: url, status: response.status, message: response.header("X-Error-Message") ?? "")
    }
  }

  /// `"abc"` and `W/"abc"` → `abc`.
  static func unquote(_ etag: String) -> String? {
    var value = Substring(etag)
    if value.hasPrefix("W/") { value = value.dropFirst(2) }
    return String(value.trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
  }
}
