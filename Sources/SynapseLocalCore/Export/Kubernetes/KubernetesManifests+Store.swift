/// The model store: a PersistentVolumeClaim in the Hugging Face cache layout, filled once by a Job
/// that fetches exactly the files `synapse-local.lock` pins (`hf download` at the locked commits)
/// and then checks each against the lock's SHA-256 (`sha256sum -c`). Engines mount it read-only.
extension KubernetesManifests {
  /// The fill's name: changes with what it fetches, so exporting new models makes a new Job (a
  /// finished Job never runs again) and the engines wait for this one's marker.
  var fillName: String { "model-store-fill-" + String(Digest.hex(.sha256, Array((fillScript() + checksums()).utf8)).prefix(8)) }

  /// Written by the Job once every digest matched; the engines' init container waits for it.
  var fillMarker: String { Self.storeMount + "/.synapse-local/" + fillName }

  func modelStore() -> [ManifestNode] {
    let access = stack.request.sharedStore ? "ReadWriteMany" : "ReadWriteOnce"
    let claim: ManifestNode = [
      "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": metadata("model-store"),
      "spec": .map(
        [("accessModes", [.string(access)])] + (stack.request.storageClass.map { [("storageClassName", .string($0))] } ?? [])
          + [("resources", ["requests": ["storage": .string("\(stack.storeGiB)Gi")]])]),
    ]
    let script: ManifestNode = [
      "apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata(fillName, labels: "model-store-fill"),
      "data": ["fill.sh": .string(fillScript()), "sha256sums": .string(checksums())],
    ]
    let container: ManifestNode = [
      "name": "fill", "image": .string(stack.images.downloader), "command": ["sh", "/fill/fill.sh"],
      "env": [
        ["name": "HF_HUB_CACHE", "value": .string(Self.storeMount)], ["name": "FILL_MARKER", "value": .string(fillMarker)],
        // A gated model needs a token: `kubectl create secret generic hf-token --from-literal=token=...`.
        ["name": "HF_TOKEN", "valueFrom": ["secretKeyRef": ["name": "hf-token", "key": "token", "optional": true]]],
      ],
      "volumeMounts": [
        ["name": "model-store", "mountPath": .string(Self.storeMount)], ["name": "fill", "mountPath": "/fill", "readOnly": true],
      ],
      // pip and hf download: a streaming copy, whatever the models' size.
      "resources": Self.resources(memory: 1 << 30, cpus: 1),
    ]
    var pod: [(String, ManifestNode)] = [("restartPolicy", "OnFailure")]
    // On a ReadWriteOnce store the Job runs where the engines read it.
    if let affinity = storeAffinity { pod.append(("affinity", affinity)) }
    pod += [
      ("containers", [container]),
      (
        "volumes",
        [
          ["name": "model-store", "persistentVolumeClaim": ["claimName": "model-store"]],
          ["name": "fill", "configMap": ["name": .string(fillName)]],
        ]
      ),
    ]
    let job: ManifestNode = [
      "apiVersion": "batch/v1", "kind": "Job", "metadata": metadata(fillName, labels: "model-store-fill"),
      "spec": ["backoffLimit": 3, "template": ["metadata": ["labels": Self.labels("model-store-fill")], "spec": .map(pod)]],
    ]
    return [claim, script, job]
  }

  /// The engines' init container: they start once the store holds this export's files.
  func waitForStore(image: String) -> ManifestNode {
    [
      "name": "wait-for-model-store", "image": .string(image),
      "command": ["sh", "-c", .string("until [ -f \(fillMarker) ]; do echo waiting for job/\(fillName); sleep 5; done")],
      "volumeMounts": [storeMount],
    ]
  }

  /// One `hf download` per locked repository and commit, then the digests, then the marker. A file
  /// `models import` put in the store has a commit of the import's making: it is fetched at the
  /// revision it was imported as, and its snapshot is linked to the Hub's, where the digest check
  /// then reads the same bytes the lock pins.
  func fillScript() -> String {
    var lines = [
      "#!/bin/sh", "# Written by synapse-local export kubernetes from synapse-local.lock: the files it pins, at their commits.",
      "set -eu", "pip install --no-cache-dir --quiet \(Self.shellQuoted(stack.images.downloaderRequirement))",
    ]
    var groups: [(file: KubernetesStack.StoreFile, paths: [String])] = []
    for file in stack.storeFiles {
      if let index = groups.firstIndex(where: { $0.file.repository == file.repository && $0.file.commit == file.commit }) {
        groups[index].paths.append(file.path)
      } else {
        groups.append((file, [file.path]))
      }
    }
    for (file, paths) in groups {
      let revision = file.imported ? file.revision : file.commit
      let words = ["hf", "download", file.repository] + paths + ["--revision", revision, "--cache-dir", Self.storeMount]
      let download = words.map(Self.shellQuoted).joined(separator: " ")
      guard file.imported else {
        lines.append(download)
        continue
      }
      let locked = Self.shellQuoted(Self.storeMount + "/" + file.storePath(includingFile: false))
      lines.append("out=$(\(download) --quiet | tail -n 1)")
      if paths.count == 1 {
        // One file prints its path: its snapshot folder is that path less the file's own. The
        // suffix is a quoted variable, so the shell strips it literally: a file name is never
        // read as a pattern or a command (`${out%/$(...)}` would run it).
        lines += [
          "suffix=\(Self.shellQuoted("/" + paths[0]))", "snapshot=\"${out%\"$suffix\"}\"",
          "[ \"$snapshot\" != \"$out\" ] || { echo \"hf download printed $out, not a path ending in $suffix\" >&2; exit 1; }",
        ]
      } else {
        // Several print their snapshot folder.
        lines.append("snapshot=\"$out\"")
      }
      lines.append("[ \"$snapshot\" = \(locked) ] || ln -sfn \"$snapshot\" \(locked)")
    }
    lines.append("cd \(Self.storeMount)")
    if stack.storeFiles.contains(where: { $0.sha256 != nil }) { lines.append("sha256sum -c /fill/sha256sums") }
    lines += ["mkdir -p \"$(dirname \"$FILL_MARKER\")\"", "touch \"$FILL_MARKER\""]
    return lines.joined(separator: "\n") + "\n"
  }

  /// `sha256sum -c` input: the lock's digest and the file's place in the store.
  func checksums() -> String {
    stack.storeFiles.compactMap { file in file.sha256.map { "\($0)  \(file.storePath)" } }.joined(separator: "\n") + "\n"
  }
}
