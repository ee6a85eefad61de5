import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct InstallCommand: ContextCommand {
  static let configuration = CommandConfiguration(
    commandName: "install",
    abstract: "Install the runtimes the stack runs: llama.cpp, the embedding runtime, PostgreSQL with pgvector, vLLM.",
    discussion: """
      Runtimes go under SYNAPSE_LOCAL_HOME (default $XDG_DATA_HOME/synapse-local, else ~/.local/share/synapse-local), \
      one folder per runtime, version and variant; system folders are never touched. Each is verified before it counts as \
      installed, and inside a project its version is pinned in synapse-local.lock.

      Give runtime ids (llama.cpp, vllm, embedding, postgresql) or services (llm: the plan's engine; embedding; db). \
      With none: what the project needs, or outside a project llama.cpp, embedding and postgresql.

      llama.cpp comes from the release pinned in profiles/engines.yaml, from GitHub or from SYNAPSE_LOCAL_ENGINE_MIRROR \
      (a mirror with the release API and the files at the same paths), checked against the release's SHA-256 while it \
      downloads. Offline, --from takes the archive as a file. The Python runtimes' requirement files pin every \
      package's hashes, and pip refuses other bytes, from an index or a wheelhouse (--wheelhouse DIR); torch's CPU \
      build (--torch-index URL) comes from that index alone, checked only with --torch-sha256 HEX.

      Examples:
        synapse-local install                                  # what this project needs
        synapse-local install llama.cpp --from llama-b7000-bin-ubuntu-x64.tar.gz
        synapse-local install embedding db --wheelhouse /media/usb/wheels
        synapse-local install --list --json
        synapse-local install llama.cpp --plan                 # which build, and why, without installing
        synapse-local install llama.cpp --plan --platform linux-aarch64 --json
        synapse-local install vllm --plan                      # which CUDA line the driver takes, or why none
      """)

  @Argument(help: ArgumentHelp("Runtime ids or services (default: what the project needs).", valueName: "ID|SERVICE"))
  var names: [String] = []

  @Flag(name: .long, help: "List the installed runtimes (id, version, variant, platform, path, size, sha256, source) instead.")
  var list = false

  @Flag(name: .long, help: "Print JSON.")
  var json = false

  @Flag(name: .long, help: "Reinstall even when installed.")
  var force = false

  @Flag(name: .long, help: "Accept a runtime other than the one the project's lock pins, and pin the new one.")
  var update = false

  @Option(
    name: .long,
    help: ArgumentHelp("Install llama.cpp from this release archive (zip, tar.gz, tar.zst), with no network.", valueName: "ARCHIVE"))
  var from: String?

  @Option(name: .long, help: ArgumentHelp("The archive's SHA-256, for a build of your own that no release publishes.", valueName: "HEX"))
  var sha256: String?

  @Option(name: .long, help: ArgumentHelp("Install the Python runtimes from this folder of wheels, with no index.", valueName: "DIR"))
  var wheelhouse: String?

  @Option(name: .long, help: ArgumentHelp("A mirror of PyTorch's CPU index: torch's CPU build, without CUDA libraries.", valueName: "URL"))
  var torchIndex: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The SHA-256 of torch's CPU wheel from --torch-index, which no requirement file pins; without it, torch is not hash-checked.",
      valueName: "HEX"))
  var torchSha256: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The llama.cpp build to take: cpu, vulkan, cuda-12.8, cuda-13.4, rocm, metal (default: chosen from the GPU and its driver; --plan shows it).",
      valueName: "VARIANT"))
  var variant: String?

  @Flag(
    name: .long,
    help: "Show the llama.cpp build (or, for vllm, the CUDA line) install would take here, its files, digests and why; download nothing.")
  var plan = false

  @Option(
    name: .long,
    help: ArgumentHelp("With --plan: the platform to plan for (linux-x86_64, linux-aarch64, macos-arm64).", valueName: "PLATFORM"))
  var platform: Platform?

  @Flag(name: .long, help: "Build llama.cpp from the pinned source for an NVIDIA GPU (needs the CUDA toolkit, nvcc).")
  var build = false

  @OptionGroup var projectOption: ProjectOption

  func validate() throws {
    if let sha256, !(sha256.count == 64 && sha256.allSatisfy(\.isHexDigit)) {
      throw ValidationError("--sha256 must be 64 hexadecimal digits")
    }
    if sha256 != nil && from == nil { throw ValidationError("--sha256 goes with --from ARCHIVE") }
    if let torchSha256, !(torchSha256.count == 64 && torchSha256.allSatisfy(\.isHexDigit)) {
      throw ValidationError("--torch-sha256 must be 64 hexadecimal digits")
    }
    if torchSha256 != nil && torchIndex == nil { throw ValidationError("--torch-sha256 goes with --torch-index URL") }
    if list && (!names.isEmpty || force || from != nil) { throw ValidationError("--list takes no runtimes and no install options") }
    if platform != nil && !plan { throw ValidationError("--platform goes with --plan") }
    if plan && (list || force || from != nil || build || names.count > 1 || names.contains(where: { !Self.planned.contains($0) })) {
      throw ValidationError(
        "--plan shows one runtime's choice, llama.cpp's build or vllm's line: it takes --variant (llama.cpp), --platform and --json")
    }
    if plan && names == ["vllm"] && variant != nil {
      throw ValidationError("--variant chooses a llama.cpp build; vLLM's CUDA line follows the driver")
    }
  }

  /// What `--plan` shows: llama.cpp's build (also for `llm` and for no name) or vLLM's line.
  static let planned = ["llama.cpp", "llm", "vllm"]

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    let ctx = ctx.printing(quiet: json)
    try await reportingErrors(ctx.output) {
      let installer = RuntimeInstaller(context: ctx)
      if list { return try RuntimeListTable.print(installer.list(), json: json, to: ctx.output) }
      if plan, names == ["vllm"] {
        let line = try await installer.planVLLM(platform: platform)
        return try json ? ctx.output.json(line) : VLLMPlanTable.print(line, to: ctx.output)
      }
      if plan {
        let chosen = try await installer.plan(platform: platform, variant: variant)
        return try json ? ctx.output.json(chosen) : InstallPlanTable.print(chosen, to: ctx.output)
      }
      let folder = projectOption.folder(ctx)
      let project = ctx.files.exists(ProjectFile.path(in: folder)) ? folder : nil
      var options = RuntimeInstaller.Options()
      options.force = force
      options.update = update
      options.build = build
      options.variant = variant
      options.from = from.map(ctx.absolute)
      options.sha256 = sha256?.lowercased()
      options.wheelhouse = wheelhouse.map(ctx.absolute)
      options.torchIndex = torchIndex
      options.torchSHA256 = torchSha256?.lowercased()
      options.project = project
      let ids = try installer.targets(names, project: project)
      let outcomes = try await installer.install(ids, options: options)
      if json { return try ctx.output.json(outcomes.map(\.manifest)) }
      InstallOutcomeLines.print(outcomes, project: project, to: ctx.output)
    }
  }
}
