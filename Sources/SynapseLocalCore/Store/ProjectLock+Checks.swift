/// Every value of a lock becomes part of a path (the store's `snapshots/<commit>/<path>`,
/// `blobs/<etag>`, `refs/<revision>`; the runtime home's `<version>-<variant>-<platform>`,
/// `downloads/<asset>`) or a command line, and a lock comes from anywhere: a pull, a bundle, a
/// colleague's commit, a hand edit. So it is checked as it is read, wherever it is read.
extension ProjectLock {
  /// The first value that has not the shape it must, described for a one-line error; nil when
  /// every value is safe.
  public var unsafeValue: String? {
    for entry in files {
      let file = "\(entry.repository)/\(entry.path)"
      if (try? RepositoryID(entry.repository)) == nil { return "repository \(PathSafety.quoted(entry.repository)) is not ORG/REPO" }
      if !PathSafety.isRelativePath(entry.path) {
        return "path \(PathSafety.quoted(entry.path)) of \(entry.repository) is not a relative path without '..'"
      }
      if !PathSafety.isRevision(entry.revision) {
        return "revision \(PathSafety.quoted(entry.revision)) of \(file) is not a branch, tag or commit"
      }
      if !PathSafety.isCommit(entry.commit) { return "commit \(PathSafety.quoted(entry.commit)) of \(file) is not 40 hexadecimal digits" }
      if !PathSafety.isEtag(entry.etag) { return "etag \(PathSafety.quoted(entry.etag)) of \(file) is not a SHA-1 or SHA-256" }
      if let sha256 = entry.sha256, !PathSafety.isSHA256(sha256) {
        return "sha256 \(PathSafety.quoted(sha256)) of \(file) is not 64 hexadecimal digits"
      }
    }
    for selection in selections where (try? RepositoryID(selection.repository)) == nil {
      return "selection repository \(PathSafety.quoted(selection.repository)) is not ORG/REPO"
    }
    for pin in runtimes {
      let runtime = "runtime \(PathSafety.quoted(pin.id))"
      if RuntimeID(rawValue: pin.id) == nil {
        return "\(runtime) is not one of \(RuntimeID.allCases.map(\.rawValue).joined(separator: ", "))"
      }
      if Platform(rawValue: pin.platform) == nil {
        return
          "\(runtime) names the platform \(PathSafety.quoted(pin.platform)), not one of \(Platform.allCases.map(\.rawValue).joined(separator: ", "))"
      }
      if !PathSafety.isName(pin.version) {
        return "\(runtime) has the version \(PathSafety.quoted(pin.version)), which is not a plain name"
      }
      if !PathSafety.isName(pin.variant) {
        return "\(runtime) has the variant \(PathSafety.quoted(pin.variant)), which is not a plain name"
      }
      if let asset = pin.asset, !PathSafety.isName(asset) {
        return "\(runtime) has the asset \(PathSafety.quoted(asset)), which is not a plain file name"
      }
      if let sha256 = pin.sha256, !PathSafety.isSHA256(sha256) {
        return "\(runtime) has the sha256 \(PathSafety.quoted(sha256)), which is not 64 hexadecimal digits"
      }
      if let requirements = pin.requirements, !PathSafety.isName(requirements) {
        return "\(runtime) has the requirements \(PathSafety.quoted(requirements)), which is not a plain name"
      }
    }
    return nil
  }
}
