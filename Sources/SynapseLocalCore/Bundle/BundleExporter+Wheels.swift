import Foundation
import SynapseLocalSystem

/// The Python a bundle's wheels are for, and the wheels themselves.
extension BundleExporter {
  /// `3.11`: the one asked for, else this machine's python3's.
  func pythonVersion(_ asked: String?) async throws -> String {
    if let asked {
      let parts = asked.split(separator: ".")
      guard parts.count == 2, parts.allSatisfy({ Int($0) != nil }) else {
        throw BundleError.cannotExport(reason: "--python \(asked): expected MAJOR.MINOR, e.g. 3.11")
      }
      return asked
    }
    let answer = try await context.processes.run(
      context.findExecutable("python3") ?? "/usr/bin/python3", ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
      timeout: .seconds(30))
    guard answer.status == 0 else { throw BundleError.cannotExport(reason: "python3 did not say its version; pass --python X.Y") }
    return answer.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// python3's version (or the one asked for), then, when `wheels`, the wheels for it (below).
  func pythonAndWheels(_ asked: String?, wheels: Bool, into folder: String, platform: Platform, for runtimes: [RuntimeID]) async throws
    -> (python: String, wheels: [(path: String, sha256: String?)])
  {
    let python = try await pythonVersion(asked)
    guard wheels else { return (python, []) }
    return (python, try await self.wheels(into: folder, platform: platform, python: python, runtimes: runtimes))
  }

  /// Binary wheels for every pinned dependency of the embedding runtime and PostgreSQL, for the
  /// platform and Python. From the wheelhouse the embedding runtime was installed from, when there
  /// is one: pip's own resolver names the wheels (`install --dry-run --report`) and their digests,
  /// and they are read where they are, not copied. Else pip downloads them from PyPI into `folder`
  /// (its cache makes that quick).
  func wheels(into folder: String, platform: Platform, python: String, runtimes: [RuntimeID]) async throws -> [(
    path: String, sha256: String?
  )] {
    let profiles = try context.resources.locate(.profiles)
    let home = RuntimeHome(environment: context.environment)
    let wheelhouse = RuntimeInventory(home: home, files: context.files).list(measure: false).first {
      runtimes.contains($0.manifest.id) && context.files.isDirectory($0.manifest.source)
    }?.manifest.source
    guard let pythonProgram = context.findExecutable("python3") else {
      throw BundleError.cannotExport(reason: "python3 is not on PATH (pip picks the wheels)")
    }
    let machine = platform == .linuxArm64 ? "aarch64" : "x86_64"
    // Every manylinux a glibc 2.17-2.36 host (Debian 12) runs, as pip would accept them there.
    let tags =
      (5...36).map { "manylinux_2_\($0)_\(machine)" } + ["manylinux1", "manylinux2010", "manylinux2014"].map { "\($0)_\(machine)" }
      + ["linux_\(machine)"]
    var found: [(path: String, sha256: String?)] = []
    try context.files.createDirectory(folder, permissions: 0o700)
    for id in runtimes {
      let requirements = try RequirementSet.load(id, profiles: profiles, files: context.files)
      var common = [
        "--disable-pip-version-check", "-q", "--only-binary=:all:", "--no-deps", "--python-version", python, "--implementation", "cp",
        "-r", requirements.path,
      ]
      for tag in tags { common += ["--platform", tag] }
      context.output.line("bundle: wheels for \(id.rawValue) (\(python), \(platform.rawValue)) from \(wheelhouse ?? "PyPI")")
      let arguments: [String]
      let report = folder + "/\(id.rawValue)-report.json"
      if let wheelhouse {
        arguments =
          [
            "-m", "pip", "install", "--dry-run", "--ignore-installed", "--target", folder + "/none", "--report", report,
            "--no-index", "--find-links", wheelhouse,
          ] + common
      } else {
        arguments = ["-m", "pip", "download", "-d", folder] + common
      }
      let result = try await context.processes.run(pythonProgram, arguments, timeout: .seconds(3600))
      guard result.status == 0 else {
        let last = (result.stderr + result.stdout).split(separator: "\n").last.map(String.init) ?? "exit \(result.status)"
        throw BundleError.cannotExport(
          reason: "pip could not get the \(id.rawValue) wheels for Python \(python) on \(platform.rawValue): \(last)")
      }
      if wheelhouse != nil {
        guard let data = context.files.contents(report),
          let installs = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["install"] as? [[String: Any]]
        else { throw BundleError.cannotExport(reason: "pip wrote no report of the \(id.rawValue) wheels") }
        for item in installs {
          let info = item["download_info"] as? [String: Any]
          guard let url = (info?["url"] as? String).flatMap(URL.init(string:)), url.isFileURL else { continue }
          let sha256 = ((info?["archive_info"] as? [String: Any])?["hashes"] as? [String: Any])?["sha256"] as? String
          found.append((url.path, sha256))
        }
      }
    }
    if wheelhouse == nil {
      found = files(under: folder).filter { $0.hasSuffix(".whl") }.map { (folder + "/" + $0, nil) }
    }
    return found
  }
}
