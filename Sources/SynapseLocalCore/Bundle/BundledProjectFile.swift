import Foundation
import SynapseLocalSystem

/// The project file as a bundle carries it when the checkout travels too: `paths.synapse` must
/// name a folder inside the project on the target, so a checkout outside the project folder (an
/// absolute path, `..`, `~`) is carried to `app/` beside the project file, and the file says so.
/// Only that line changes (comments and the rest stay as written), and the result is read back:
/// it must be the same plan with the new folder, or the export stops.
public enum BundledProjectFile {
  /// Where a checkout outside the project lands in the target's project folder.
  public static let relocatedFolder = "app"

  /// `paths.synapse` for the target: `current` when it already is a folder inside the project,
  /// else the checkout's place below the project, else `relocatedFolder`.
  public static func synapseFolder(current: String, checkout: String, project: String) -> String {
    if current == "." || (CheckoutPath.refusal(current) == nil && !current.hasPrefix("~")) { return current }
    if checkout == project { return "." }
    if CheckoutPath.isInside(checkout, project) { return String(checkout.dropFirst(project.count + 1)) }
    return relocatedFolder
  }

  /// `text` with `paths.synapse` set to `folder`.
  public static func relocating(_ text: String, to folder: String, file: String) throws -> String {
    let original: ProjectConfiguration
    do {
      original = try ProjectSchema.parse(text, file: file)
    } catch {
      throw BundleError.cannotExport(reason: "\(error)")
    }
    guard original.paths.synapse != folder else { return text }
    var lines = text.components(separatedBy: "\n")
    var inPaths = false
    var changed = false
    for (index, line) in lines.enumerated() {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if !line.hasPrefix(" "), !line.hasPrefix("\t"), !trimmed.isEmpty, !trimmed.hasPrefix("#") {
        inPaths = trimmed.hasPrefix("paths:")
        continue
      }
      guard inPaths, trimmed.hasPrefix("synapse:") else { continue }
      let indent = line.prefix { $0 == " " || $0 == "\t" }
      lines[index] = indent + "synapse: " + YAMLScalar.string(folder)
      changed = true
    }
    let edited = lines.joined(separator: "\n")
    var expected = original
    expected.paths.synapse = folder
    guard changed, (try? ProjectSchema.parse(edited, file: file)) == expected else {
      throw BundleError.cannotExport(
        reason:
          "paths.synapse in \(file) names a folder outside the project (\(original.paths.synapse)), and its line could not be rewritten for the target: write it as `paths:` then `  synapse: PATH` on lines of their own, or pass --no-app"
      )
    }
    return edited
  }
}
