import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing
import Yams

/// The exported manifests read back as a cluster would read them (every document of every file),
/// and the rules no schema expresses.
struct Manifests {
  var documents: [(file: String, object: [String: Any])]
  var folder: String

  static func load(_ folder: String) throws -> Manifests {
    var documents: [(String, [String: Any])] = []
    for file in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() where file.hasSuffix(".yaml") {
      for case let object as [String: Any] in try Yams.load_all(yaml: String(contentsOfFile: folder + "/" + file, encoding: .utf8)) {
        documents.append((file, object))
      }
    }
    return Manifests(documents: documents, folder: folder)
  }

  func objects(_ kind: String) -> [[String: Any]] { documents.map(\.object).filter { $0["kind"] as? String == kind } }

  /// Every pod template with the workload it belongs to: Deployments, StatefulSets, Jobs, and a
  /// LeaderWorkerSet's leader and worker templates.
  var podTemplates: [(owner: String, template: [String: Any])] {
    documents.flatMap { _, object -> [(String, [String: Any])] in
      let name = ((object["metadata"] as? [String: Any])?["name"] as? String) ?? "?"
      let spec = object["spec"] as? [String: Any] ?? [:]
      if let template = spec["template"] as? [String: Any] { return [(name, template)] }
      let group = spec["leaderWorkerTemplate"] as? [String: Any] ?? [:]
      return ["leaderTemplate", "workerTemplate"].compactMap { key in (group[key] as? [String: Any]).map { ("\(name)/\(key)", $0) } }
    }
  }

  static func labels(_ template: [String: Any]) -> [String: String] {
    ((template["metadata"] as? [String: Any])?["labels"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
  }

  static func containers(_ template: [String: Any]) -> [[String: Any]] {
    (template["spec"] as? [String: Any])?["containers"] as? [[String: Any]] ?? []
  }

  /// The containers of the pods whose `app.kubernetes.io/name` is `service`.
  func containers(of service: String) -> [[String: Any]] {
    podTemplates.filter { Self.labels($0.template)["app.kubernetes.io/name"] == service }.flatMap { Self.containers($0.template) }
  }

  /// Documents the Kubernetes API schemas cover, one per file, for kubernetes-validate.
  func writeValidatable(to folder: String) throws -> [String] {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return try documents.enumerated().compactMap { index, document in
      guard !["LeaderWorkerSet", "Kustomization"].contains(document.object["kind"] as? String ?? "") else { return nil }
      let path = folder + "/\(index)-\(document.file)"
      try Yams.dump(object: document.object).write(toFile: path, atomically: true, encoding: .utf8)
      return path
    }
  }
}

enum KubernetesRules {
  static func probePath(_ probe: [String: Any]?) -> (String, Int)? {
    guard let get = probe?["httpGet"] as? [String: Any], let path = get["path"] as? String, let port = get["port"] as? Int else {
      return nil
    }
    return (path, port)
  }

  /// The rules of the issue, each failing with what is wrong.
  static func check(
    _ manifests: Manifests, configuration c: ProjectConfiguration, native: [ServiceName: ServiceSpec], gpus: Int, secrets: [String],
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let pods = manifests.podTemplates.map { Manifests.labels($0.template) }
    // Every Service selects a pod.
    for service in manifests.objects("Service") {
      let selector = ((service["spec"] as? [String: Any])?["selector"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
      #expect(
        !selector.isEmpty && pods.contains { labels in selector.allSatisfy { labels[$0.key] == $0.value } }, "\(service)",
        sourceLocation: sourceLocation)
    }
    // Probes ask what our health checks ask, where they ask it.
    for (name, spec) in native {
      let containers = manifests.containers(of: name.rawValue).filter { $0["readinessProbe"] != nil }
      #expect(!containers.isEmpty, "\(name.rawValue) has no probed container", sourceLocation: sourceLocation)
      for container in containers {
        for key in ["startupProbe", "readinessProbe", "livenessProbe"] {
          let probe = container[key] as? [String: Any]
          switch spec.health {
          case .http(let url):
            let parts = URLComponents(string: url)
            #expect(
              probePath(probe).map { [$0.0, String($0.1)] } == [parts?.path ?? "", String(parts?.port ?? 0)], "\(name) \(key)",
              sourceLocation: sourceLocation)
          case .embedding(let base, _):
            #expect(
              probePath(probe).map { [$0.0, String($0.1)] } == ["/health", String(URLComponents(string: base)?.port ?? 0)],
              sourceLocation: sourceLocation)
          case .postgres:
            let command = ((probe?["exec"] as? [String: Any])?["command"] as? [String]) ?? []
            #expect(
              command.first == "pg_isready" && command.contains(c.db.user) && command.contains(c.db.name), sourceLocation: sourceLocation)
          }
        }
        // Startup waits as long as `up` does.
        let startup = container["startupProbe"] as? [String: Any] ?? [:]
        let seconds = (startup["periodSeconds"] as? Int ?? 0) * (startup["failureThreshold"] as? Int ?? 0)
        #expect(
          Double(seconds) >= spec.readinessSeconds, "\(name): startup \(seconds) s < \(spec.readinessSeconds) s",
          sourceLocation: sourceLocation)
      }
    }
    // GPUs for the llm of a GPU plan, nowhere else.
    for (owner, template) in manifests.podTemplates {
      for container in Manifests.containers(template) {
        let limits = ((container["resources"] as? [String: Any])?["limits"] as? [String: Any]) ?? [:]
        let count = Int(limits["nvidia.com/gpu"] as? String ?? "") ?? 0
        let isLLM = Manifests.labels(template)["app.kubernetes.io/name"] == "llm"
        #expect(count == (isLLM ? gpus : 0), "\(owner): \(count) GPUs", sourceLocation: sourceLocation)
        let requests = ((container["resources"] as? [String: Any])?["requests"] as? [String: Any]) ?? [:]
        #expect(requests["memory"] != nil, "\(owner) requests no memory", sourceLocation: sourceLocation)
      }
      // The engines mount the store read-only, and so does their volume.
      let name = Manifests.labels(template)["app.kubernetes.io/name"] ?? ""
      if ["llm", "embedding"].contains(name) {
        for container in Manifests.containers(template) {
          let mounts = container["volumeMounts"] as? [[String: Any]] ?? []
          #expect(
            mounts.contains { $0["name"] as? String == "model-store" && $0["readOnly"] as? Bool == true }, "\(owner)",
            sourceLocation: sourceLocation)
        }
        let volumes = (template["spec"] as? [String: Any])?["volumes"] as? [[String: Any]] ?? []
        let claim = volumes.first { $0["name"] as? String == "model-store" }?["persistentVolumeClaim"] as? [String: Any]
        #expect(claim?["readOnly"] as? Bool == true, "\(owner)", sourceLocation: sourceLocation)
      }
    }
    // No secret outside the Secret's generator file.
    let files = try FileManager.default.subpathsOfDirectory(atPath: manifests.folder).filter { !$0.hasPrefix("secrets") }
    for file in files where file.hasSuffix(".yaml") {
      let text = try String(contentsOfFile: manifests.folder + "/" + file, encoding: .utf8)
      for secret in secrets where !secret.isEmpty {
        #expect(!text.contains(secret), "\(file) holds a secret", sourceLocation: sourceLocation)
      }
    }
    let attributes = try FileManager.default.attributesOfItem(atPath: manifests.folder + "/secrets/db-password")
    #expect(attributes[.posixPermissions] as? Int == 0o600, sourceLocation: sourceLocation)
    // The kustomization applies every file, in its namespace, with the Secret from the file.
    let kustomization = try #require(manifests.objects("Kustomization").first, sourceLocation: sourceLocation)
    let listed = Set(kustomization["resources"] as? [String] ?? [])
    #expect(
      listed
        == Set(
          try FileManager.default.contentsOfDirectory(atPath: manifests.folder).filter {
            $0.hasSuffix(".yaml") && $0 != "kustomization.yaml"
          }), sourceLocation: sourceLocation)
    let generator = (kustomization["secretGenerator"] as? [[String: Any]])?.first
    #expect(
      generator?["name"] as? String == "db" && (generator?["files"] as? [String]) == ["password=secrets/db-password"],
      sourceLocation: sourceLocation)
  }
}
