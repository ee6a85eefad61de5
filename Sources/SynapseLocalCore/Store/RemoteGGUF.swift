import Foundation
import SynapseLocalSystem

/// Reads a GGUF header on the Hub without downloading the file: HTTP Range requests for a growing
/// prefix, until the reader stops asking for bytes beyond it (typically a few MB of a multi-GB file).
public struct RemoteGGUF: Sendable {
  public struct Result: Sendable {
    public var file: GGUFFile
    public var metadata: HubClient.FileMetadata
    /// Bytes fetched, all requests together.
    public var transferredBytes: UInt64
  }

  public var hub: HubClient
  public var initialBytes: UInt64 = 2 << 20

  public init(hub: HubClient) {
    self.hub = hub
  }

  public func read(_ repository: RepositoryID, revision: String, path: String) async throws -> Result {
    let metadata = try await hub.metadata(repository, revision: revision, path: try validatedPathInRepository(path))
    var prefix: [UInt8] = []
    var wanted = min(initialBytes, metadata.size)
    while true {
      if UInt64(prefix.count) < wanted {
        prefix += try await hub.fetch(metadata.location, range: UInt64(prefix.count)...(wanted - 1))
      }
      let outcome = Swift.Result { () throws(GGUFError) -> GGUFFile in try GGUFReader.read(MemoryByteSource(prefix, size: metadata.size)) }
      switch outcome {
      case .success(let file):
        return Result(file: file, metadata: metadata, transferredBytes: UInt64(prefix.count))
      case .failure(.truncated(let needed, _, _)) where needed > UInt64(prefix.count) && needed <= metadata.size:
        // Grow at least geometrically, so a header of any size takes few round trips.
        wanted = min(metadata.size, max(needed + (64 << 10), wanted * 2))
      case .failure(let error):
        throw error
      }
    }
  }
}
