import Foundation
import SynapseLocalSystem

/// `catalog`'s table: one rating scale per column (speed out of 3, quality out of 5, as the guide's
/// fullest rows), one unit style for sizes (the file's bytes, binary units), and columns padded by
/// display width (⚡ takes two terminal columns).
public enum CatalogTable {
  public static let speedPoints = 3
  public static let qualityPoints = 5

  /// `filled` of `points`, each point two columns wide so an empty one lines up under a ⚡.
  public static func speed(_ model: CatalogModel) -> String {
    let filled = min(model.speedRating, speedPoints)
    return String(repeating: "⚡", count: filled) + String(repeating: "☆ ", count: speedPoints - filled)
  }

  public static func quality(_ model: CatalogModel) -> String {
    let filled = min(model.qualityStars, qualityPoints)
    return String(repeating: "★", count: filled) + String(repeating: "☆", count: qualityPoints - filled)
  }

  public static func lines(_ models: [CatalogModel]) -> [String] {
    var rows = [["ID", "NAME", "ROLE", "SIZE", "SPEED", "QUALITY", "LICENCE"]]
    for model in models {
      let kind = model.role == .embedding ? "embedding, \(model.dimensions ?? 0) dims" : "llm\(model.isDemo ? ", demo" : "")"
      rows.append([model.id, model.name, kind, ByteCount.format(model.sizeBytes), speed(model), quality(model), model.license])
    }
    let widths = rows[0].indices.map { column in rows.map { DisplayWidth.of($0[column]) }.max() ?? 0 }
    var lines = rows.map { row in
      row.enumerated().map { DisplayWidth.padded($1, to: widths[$0]) }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
    lines.append("")
    lines.append(
      "speed (⚡ of \(speedPoints)) and quality (★ of \(qualityPoints)): the deployment guide's ratings, more is better; size: the model file (llama.cpp's GGUF for a chat model)"
    )
    return lines
  }
}
