import Foundation
import SynapseLocalSystem

/// The one piece of advice for a model that is imported, not pulled (a demo model): `init`'s
/// "Next:" line, `up`'s and `generate`'s error and `models import`'s refusal all say this. It
/// names the file's full place in the repository, so the import lands where the catalog looks,
/// whatever the file on disk is called.
public enum ModelImportAdvice {
  /// `synapse-local models import FILE --as ORG/REPO/PATH` (`--project DIR` when given), and for a
  /// catalog model the SHA-256 that tells its file.
  public static func command(
    repository: String, file: String?, sha256: String? = nil, project: String? = nil, source: String? = nil
  ) -> String {
    let target = file.map { "\(repository)/\($0)" } ?? repository
    var line = "synapse-local models import FILE --as \(target)"
    if let project { line += " --project \(project)" }
    var about: [String] = []
    if let source { about.append(source) }
    if let sha256 { about.append("its SHA-256 is \(sha256)") }
    if !about.isEmpty { line += " (FILE: \(about.joined(separator: "; ")))" }
    return line
  }

  /// The advice for a catalog model: its GGUF file's place and digest; a model without one (a
  /// safetensors or sentence-transformers repository) is imported whole, as its repository.
  public static func command(for model: CatalogModel, project: String? = nil) -> String {
    guard let gguf = model.gguf else {
      return command(repository: model.repository ?? model.id, file: nil, project: project)
    }
    return command(repository: gguf.repository, file: gguf.file, sha256: gguf.sha256, project: project, source: model.fileSource)
  }
}
