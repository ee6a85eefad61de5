import Foundation
import SynapseLocalSystem

/// GitHub's release API and downloads, or a mirror that serves both at the same paths below it
/// (`SYNAPSE_LOCAL_ENGINE_MIRROR`): `GET {api}/repos/{owner}/{name}/releases/tags/{tag}` lists the
/// assets with their size and `digest: "sha256:<hex>"`; the files are at
/// `{downloads}/{owner}/{name}/releases/download/{tag}/{asset}`.
public struct ReleaseClient: Sendable {
  public var api: String
  public var downloads: String
  public var transport: any HTTPTransport
  public var retry: RetryPolicy

  public struct Asset: Sendable, Equatable {
    public var name: String
    public var size: UInt64
    public var sha256: String?
    public var url: String
  }

  public init(api: String, downloads: String, transport: any HTTPTransport, retry: RetryPolicy) {
    self.api = api.hasSuffix("/") ? String(api.dropLast()) : api
    self.downloads = downloads.hasSuffix("/") ? String(downloads.dropLast()) : downloads
    self.transport = transport
    self.retry = retry
  }

  public static let mirrorVariable = "SYNAPSE_LOCAL_ENGINE_MIRROR"

  /// The mirror when one is set, else GitHub.
  public static func live(environment: [String: String], transport: any HTTPTransport, time: any TimeSource) -> ReleaseClient {
    if let mirror = environment[mirrorVariable], !mirror.isEmpty {
      return ReleaseClient(api: mirror, downloads: mirror, transport: transport, retry: RetryPolicy(time: time))
    }
    return ReleaseClient(
      api: "https://api.github.com", downloads: "https://github.com", transport: transport, retry: RetryPolicy(time: time))
  }

  /// The release's assets, by name.
  public func assets(repository: String, tag: String) async throws -> [Asset] {
    let url = "\(api)/repos/\(repository)/releases/tags/\(tag)"
    let response: HTTPResponse
    do {
      response = try await transport.sendRetrying(
        HTTPRequest(url: url, headers: ["Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"]), policy: retry)
    } catch let error as HTTPError {
      throw RuntimeError.releaseUnavailable(url: url, status: 0, message: error.reason)
    }
    guard response.status == 200 else {
      let message = (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])?["message"] as? String
      throw RuntimeError.releaseUnavailable(url: url, status: response.status, message: message ?? "")
    }
    guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
      let list = object["assets"] as? [[String: Any]]
    else { throw RuntimeError.releaseUnavailable(url: url, status: response.status, message: "the answer is not GitHub's release JSON") }
    return list.compactMap { entry in
      guard let name = entry["name"] as? String, let size = (entry["size"] as? NSNumber)?.uint64Value else { return nil }
      let digest = (entry["digest"] as? String).flatMap { $0.hasPrefix("sha256:") ? String($0.dropFirst(7)).lowercased() : nil }
      return Asset(
        name: name, size: size, sha256: digest.flatMap { EngineReleases.isDigest($0) ? $0 : nil },
        url: "\(downloads)/\(repository)/releases/download/\(tag)/\(name)")
    }
  }

  /// Where the bytes are, and their length when the server gives it: GitHub answers a download with
  /// a redirect to its storage host, which a ranged GET must go to directly. Followed with HEAD, at
  /// most five times, sending no credentials.
  public func location(of url: String) async throws -> (url: String, length: UInt64?) {
    var current = url
    for _ in 0..<5 {
      let response: HTTPResponse
      do {
        response = try await transport.sendRetrying(
          HTTPRequest(url: current, method: "HEAD", headers: ["Accept-Encoding": "identity"]), policy: retry)
      } catch let error as HTTPError {
        throw RuntimeError.releaseUnavailable(url: current, status: 0, message: error.reason)
      }
      if (300..<400).contains(response.status), let target = response.header("Location") {
        current = Self.absolute(target, base: current)
        continue
      }
      guard (200..<300).contains(response.status) else {
        throw RuntimeError.releaseUnavailable(url: current, status: response.status, message: "")
      }
      return (current, response.header("Content-Length").flatMap(UInt64.init))
    }
    throw RuntimeError.releaseUnavailable(url: url, status: 0, message: "too many redirects")
  }

  static func absolute(_ target: String, base: String) -> String {
    if target.contains("://") { return target }
    guard let components = URLComponents(string: base), let scheme = components.scheme, let host = components.host else { return target }
    return "\(scheme)://\(host)\(components.port.map { ":\($0)" } ?? "")\(target.hasPrefix("/") ? "" : "/")\(target)"
  }
}
