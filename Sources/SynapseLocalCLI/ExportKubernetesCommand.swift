import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct ExportKubernetesCommand: ContextCommand {
  static let configuration = CommandConfiguration(
    commandName: "kubernetes",
    abstract: "Write the project's stack as Kubernetes manifests and a kustomization.yaml.",
    discussion: """
      The same plan `up` runs: services named as in the compose file (db, llm, embedding, backend, \
      frontend) on the same ports, the same health checks as probes, the engine's arguments, \
      memory from the plan's estimates. db is a StatefulSet with a volume; its password is a \
      Secret made by the kustomization from secrets/db-password (0600). The model store is a \
      volume in the Hugging Face cache layout, filled by a Job with `hf download` at the commits \
      synapse-local.lock pins and checked with `sha256sum -c`; the engines mount it read-only, so \
      pull the models first. NetworkPolicies let only the backend reach the models and the \
      database.

      The engines' images are pinned in profiles/images.yaml; the embedding server, backend and \
      frontend are built from your checkout: name their images with --image. A vLLM plan that \
      needs more GPUs than --gpus-per-node becomes a LeaderWorkerSet (tensor parallel within a \
      node, pipeline parallel across nodes, Ray); the cluster needs the LeaderWorkerSet \
      controller. docs/kubernetes.md explains every file.

      Examples:
        synapse-local export kubernetes -o k8s/ --image embedding=registry.example/synapse-embedding:1 --image backend=registry.example/synapse-api:1 --image frontend=registry.example/synapse-web:1
        synapse-local export kubernetes -o k8s/ --replicas llm=2,embedding=2 --shared-store --storage-class nfs-rwx --image embedding=reg/e:1 --image backend=reg/b:1 --image frontend=reg/f:1
        synapse-local export kubernetes -o k8s/ --gpus-per-node 8 --shared-store --node-selector nvidia.com/gpu.present=true --toleration nvidia.com/gpu:NoSchedule --image embedding=reg/e:1 --image backend=reg/b:1 --image frontend=reg/f:1 --json
      """)

  @OptionGroup var project: ProjectOption

  @Option(name: [.customShort("o"), .long], help: ArgumentHelp("The folder to write the manifests into.", valueName: "DIR"))
  var output: String

  @Option(name: .long, help: ArgumentHelp("The namespace (default synapse).", valueName: "NS"))
  var namespace = "synapse"

  @Option(name: .long, help: ArgumentHelp("Replicas of the model services, e.g. llm=2,embedding=3.", valueName: "SERVICE=N,..."))
  var replicas: String?

  @Option(
    name: .long,
    help: ArgumentHelp("An image built from your checkout: embedding, backend or frontend (repeatable).", valueName: "ROLE=IMAGE"))
  var image: [String] = []

  @Option(name: .long, help: ArgumentHelp("GPUs on each node: a vLLM plan needing more runs across nodes.", valueName: "N"))
  var gpusPerNode: Int?

  @Option(name: .long, help: ArgumentHelp("The storage class of the volumes.", valueName: "NAME"))
  var storageClass: String?

  @Flag(name: .long, help: "The model store is ReadWriteMany: pods on several nodes read it (needs such a storage class).")
  var sharedStore = false

  @Option(name: .long, help: ArgumentHelp("Run the llm only on nodes with this label (repeatable).", valueName: "KEY=VALUE"))
  var nodeSelector: [String] = []

  @Option(name: .long, help: ArgumentHelp("Let the llm run on nodes with this taint (repeatable).", valueName: "KEY[=VALUE]:EFFECT"))
  var toleration: [String] = []

  @Flag(name: .long, help: "Print the result as JSON: output, namespace, files, nodes, gpus_per_node, notes.")
  var json = false

  /// A malformed value is a usage error naming its option (the parse in `fill` then cannot fail).
  func validate() throws {
    if let gpusPerNode, !(1...64).contains(gpusPerNode) { throw ValidationError("--gpus-per-node must be between 1 and 64") }
    var request = KubernetesRequest(project: "", output: "")
    do {
      try fill(&request)
    } catch let error as ExportError {
      throw ValidationError(error.description)
    }
  }

  func fill(_ request: inout KubernetesRequest) throws {
    request.namespace = try KubernetesRequest.namespace(namespace)
    if let replicas { request.replicas.merge(try KubernetesRequest.replicas(replicas)) { $1 } }
    for text in image {
      let (role, reference) = try KubernetesRequest.image(text)
      request.images[role] = reference
    }
    request.gpusPerNode = gpusPerNode
    request.storageClass = storageClass
    request.sharedStore = sharedStore
    request.nodeSelector = try nodeSelector.map { try KubernetesRequest.nodeSelector($0) }
    request.tolerations = try toleration.map { try KubernetesRequest.toleration($0) }
  }

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    let ctx = ctx.printing(quiet: json)
    try await reportingErrors(ctx.output) {
      var request = KubernetesRequest(project: project.folder(ctx), output: ctx.absolute(output))
      try fill(&request)
      let result: KubernetesExporter.Result
      do {
        result = try await KubernetesExporter(context: ctx, catalog: try ctx.catalog()).run(request)
      } catch ExportError.missingOption(let message) {
        // An option this project needs: a usage error (64), as a missing option is.
        throw ValidationError(message)
      }
      if json { return try ctx.output.json(result) }
      ctx.output.print("wrote \(result.files.count) files to \(result.output)")
      for note in result.notes { ctx.output.print(note) }
    }
  }
}
