/// The model store: a PersistentVolumeClaim in the Hugging Face cache layout, filled once by a Job
/// that fetches exactly the files `synapse-local.lock` pins (`hf download` at the locked commits)
/// and then checks each against the lock's SHA-256 (`sha256sum -c`). Engines mount it read-only.
extension KubernetesManifests {
  func modelStore() -> [ManifestNode] {
    let access = stack.request.sharedStore ? "ReadWriteMany" : "ReadWriteOnce"
    let claim: ManifestNode = [
      "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": metadata("model-store"),
      "spec": .map(
        [("accessModes", [.string(access)])] + (stack.request.storageClass.map { [("storageClassName", .string($0))] } ?? [])
          + [("resources", ["requests": ["storage": .string("\(stack.storeGiB)Gi")]])]),
    ]
    let script: ManifestNode = [
      "apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata("model-store-fill"),
      "data": ["fill.sh": .string(fillScript()), "sha256sums": .string(checksums())],
    ]
    let container: ManifestNode = [
      "name": "fill", "image": .string(stack.images.downloader), "command": ["sh", "/fill/fill.sh"],
      "env": [
        ["name": "HF_HUB_CACHE", "value": .string(Self.storeMount)],
        // A gated model needs a token: `kubectl create secret generic hf-token --from-literal=token=...`.
        ["name": "HF_TOKEN", "valueFrom": ["secretKeyRef": ["name": "hf-token", "key": "token", "optional": true]]],
      ],
      "volumeMounts": [
        ["name": "model-store", "mountPath": .string(Self.storeMount)], ["name": "fill", "mountPath": "/fill", "readOnly": true],
      ],
      // pip and hf download: a streaming copy, whatever the models' size.
      "resources": Self.resources(memory: 1 << 30, cpus: 1),
    ]
    let job: ManifestNode = [
      "apiVersion": "batch/v1", "kind": "Job", "metadata": metadata("model-store-fill"),
      "spec": [
        "backoffLimit": 3,
        "template": [
          "metadata": ["labels": Self.labels("model-store-fill")],
          "spec": [
            "restartPolicy": "OnFailure", "containers": [container],
            "volumes": [
              ["name": "model-store", "persistentVolumeClaim": ["claimName": "model-store"]],
              ["name": "fill", "configMap": ["name": "model-store-fill"]],
            ],
          ],
        ],
      ],
    ]
    return [claim, script, job]
  }

  /// One `hf download` per locked repository and commit, then the digests.
  func fillScript() -> String {
    var lines = [
      "#!/bin/sh", "# Written by synapse-local export kubernetes from synapse-local.lock: the files it pins, at their commits.",
      "set -eu", "pip install --no-cache-dir --quiet \(Self.shellQuoted(stack.images.downloaderRequirement))",
    ]
    var groups: [(String, String, [String])] = []
    for file in stack.storeFiles {
      if let index = groups.firstIndex(where: { $0.0 == file.repository && $0.1 == file.commit }) {
        groups[index].2.append(file.path)
      } else {
        groups.append((file.repository, file.commit, [file.path]))
      }
    }
    for (repository, commit, paths) in groups {
      let words = ["hf", "download", repository] + paths + ["--revision", commit, "--cache-dir", Self.storeMount]
      lines.append(words.map(Self.shellQuoted).joined(separator: " "))
    }
    lines += ["cd \(Self.storeMount)", "sha256sum -c /fill/sha256sums"]
    return lines.joined(separator: "\n") + "\n"
  }

  /// `sha256sum -c` input: the lock's digest and the file's place in the store.
  func checksums() -> String {
    stack.storeFiles.compactMap { file in file.sha256.map { "\($0)  \(file.storePath)" } }.joined(separator: "\n") + "\n"
  }
}
