import Foundation
import SynapseLocalSystem

/// Chooses the checkout's files a bundle carries. In a git work tree: `git ls-files` (the tracked
/// files, submodules' included), read as they are on disk, with the local changes noted (modified
/// ones are carried as they are, deleted and untracked ones are not). Elsewhere: the app folders
/// walked, without node_modules, .git, build output, and files that hold secrets (`.env`, an
/// `.npmrc` with a registry credential), which are named instead. Either way, `excluded` (the
/// project's own files: its project file, lock, state folder and generated files) is left out,
/// every path must pass `CheckoutPath`, and a link is carried as the file it leads to inside the
/// checkout; one that leaves it, leads nowhere or to a folder stops the export.
public struct CheckoutFileSelector: Sendable {
  /// Folders never walked outside git: dependencies, version control, build and cache output.
  public static let skippedFolders: Set<String> = [
    "node_modules", ".git", "dist", "build", "out", ".next", ".nuxt", ".output", ".svelte-kit", ".turbo", ".vite", ".parcel-cache",
    ".cache", "coverage", ".pnpm-store", ".yarn-cache",
  ]

  public var context: Context

  public init(context: Context) {
    self.context = context
  }

  /// `checkout`: absolute. `folders`: the app folders to walk outside git (absolute, inside the
  /// checkout). `excluded`: absolute paths (files or folders) never carried.
  public func select(checkout: String, folders: [String], excluded: [String]) async throws -> CheckoutFiles {
    let excludedSet = Set(excluded)
    func isExcluded(_ relative: String) -> Bool {
      let full = checkout + "/" + relative
      return excludedSet.contains { CheckoutPath.isInside(full, $0) }
    }
    var selection: CheckoutFiles
    var listed: Set<String> = []
    func check(_ relative: String) throws {
      if let reason = CheckoutPath.refusal(relative) {
        throw BundleError.cannotExport(reason: "the checkout's file \(PathSafety.quoted(relative)) \(reason): rename it, or pass --no-app")
      }
    }
    if let git = try await gitFiles(checkout) {
      // Before anything is looked up on disk: a hostile name is refused whether it exists or not.
      for relative in git.tracked where !isExcluded(relative) { try check(relative) }
      selection = CheckoutFiles(checkout: checkout, source: .git, files: [])
      // There, or a link (one that leaves the checkout or leads nowhere is refused below).
      let present = { (relative: String) -> Bool in
        guard context.files.linkTarget(checkout + "/" + relative) == nil,
          case .success(let path) = CheckoutPath.resolve(relative, in: checkout, files: context.files)
        else { return true }
        return context.files.exists(path)
      }
      selection.deleted = git.tracked.filter { !present($0) && !isExcluded($0) }
      selection.modified = git.modified.filter { present($0) && !isExcluded($0) }
      selection.untracked = git.untracked.filter { !isExcluded($0) }
      listed = Set(git.tracked.filter(present))
    } else {
      selection = CheckoutFiles(checkout: checkout, source: .folder, files: [])
      for folder in Set(folders).sorted() where CheckoutPath.isInside(folder, checkout) {
        let base = folder == checkout ? "" : String(folder.dropFirst(checkout.count + 1))
        for relative in walk(checkout, from: base) where !listed.contains(relative) && !isExcluded(relative) {
          if secret(checkout + "/" + relative) { selection.withheld.append(relative) } else { listed.insert(relative) }
        }
      }
      selection.withheld.sort()
    }
    for relative in listed.sorted() where !isExcluded(relative) {
      try check(relative)
      let source: String
      switch CheckoutPath.resolve(relative, in: checkout, files: context.files) {
      case .success(let path): source = path
      case .failure(let refused):
        throw BundleError.cannotExport(
          reason:
            "the checkout's \(relative) \(refused.reason): a bundle carries only the checkout; replace it with the file itself, or pass --no-app"
        )
      }
      guard context.files.exists(source), !context.files.isDirectory(source) else {
        // A submodule git could not list, or a link to a folder.
        if context.files.isDirectory(source), context.files.linkTarget(checkout + "/" + relative) == nil { continue }
        throw BundleError.cannotExport(
          reason:
            "the checkout's \(relative) is a link to a folder or to nothing: a bundle carries files; replace it with the files, or pass --no-app"
        )
      }
      selection.files.append(.init(relative: relative, source: source, executable: context.files.isExecutable(source)))
    }
    return selection
  }

  /// The tracked, modified and untracked files below `checkout`, relative to it; nil when it is not
  /// in a git work tree (or git is not installed), or when the work tree it is in ignores it (a
  /// checkout copied into another repository's ignored folder is not that repository's).
  func gitFiles(_ checkout: String) async throws -> (tracked: [String], modified: [String], untracked: [String])? {
    guard let git = context.findExecutable("git") else { return nil }
    let inside = try? await context.processes.run(git, ["-C", checkout, "rev-parse", "--is-inside-work-tree"], timeout: .seconds(30))
    guard let inside, inside.status == 0, inside.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "true" else { return nil }
    let ignored = try? await context.processes.run(git, ["-C", checkout, "check-ignore", "-q", "."], timeout: .seconds(30))
    if ignored?.status == 0 { return nil }
    func list(_ arguments: [String]) async throws -> [String] {
      let answer = try await context.processes.run(git, ["-C", checkout, "ls-files", "-z"] + arguments, timeout: .seconds(120))
      guard answer.status == 0 else {
        let line = answer.stderr.split(separator: "\n").first.map(String.init) ?? "exit \(answer.status)"
        throw BundleError.cannotExport(reason: "git ls-files in \(checkout) failed: \(line)")
      }
      return answer.stdout.split(separator: "\0").map(String.init).filter { !$0.isEmpty }
    }
    return (
      try await list(["--cached", "--recurse-submodules"]), try await list(["--modified"]),
      try await list(["--others", "--exclude-standard"])
    )
  }

  /// Every file below `base` (relative to `checkout`; "" for the checkout), links included, folders
  /// in `skippedFolders` left out. A link is listed, never walked into.
  func walk(_ checkout: String, from base: String) -> [String] {
    var found: [String] = []
    var pending = [base]
    while let relative = pending.popLast() {
      let path = relative.isEmpty ? checkout : checkout + "/" + relative
      for name in (context.files.list(path) ?? []).sorted() {
        let child = relative.isEmpty ? name : relative + "/" + name
        let full = checkout + "/" + child
        if context.files.linkTarget(full) == nil, context.files.isDirectory(full) {
          if !Self.skippedFolders.contains(name) { pending.append(child) }
        } else {
          found.append(child)
        }
      }
    }
    return found
  }

  /// A file outside git that holds secrets: `.env` and `.env.*` (not the examples), an `.npmrc`
  /// with a registry credential.
  func secret(_ path: String) -> Bool {
    let name = (path as NSString).lastPathComponent
    if name == ".env" || name.hasPrefix(".env.") {
      return ![".example", ".sample", ".template", ".dist"].contains { name.hasSuffix($0) }
    }
    if name == ".npmrc", let text = context.files.readText(path) {
      return ["_authToken", "_auth", "_password"].contains { text.contains($0) }
    }
    return false
  }
}
