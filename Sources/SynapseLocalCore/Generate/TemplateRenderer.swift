import Foundation
import Mustache
import SynapseLocalSystem

/// Renders the files in `templates/` with swift-mustache. Templates hold the structure; values
/// are escaped for their format by the caller (YAMLScalar, EnvValue) before they go in.
public struct TemplateRenderer: Sendable {
  public var folder: String
  public var files: any FileSystem

  public init(folder: String, files: any FileSystem) {
    self.folder = folder
    self.files = files
  }

  public static func live(environment: [String: String], files: any FileSystem) throws -> TemplateRenderer {
    TemplateRenderer(folder: try ResourceLocator.live(environment: environment, files: files).locate(.templates), files: files)
  }

  /// Renders `templates/<name>.mustache`.
  public func render(_ name: String, _ context: [String: Any]) throws -> String {
    let path = "\(folder)/\(name).mustache"
    guard let data = files.contents(path) else {
      throw GenerateError.templateMissing(path: path)
    }
    do {
      let text = try MustacheTemplate(string: String(decoding: data, as: UTF8.self)).render(context)
      // A text file ends with a newline, whatever the template's last section left.
      return text.isEmpty || text.hasSuffix("\n") ? text : text + "\n"
    } catch {
      throw GenerateError.templateInvalid(path: path, reason: "\(error)")
    }
  }
}
