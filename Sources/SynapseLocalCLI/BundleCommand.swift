import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct BundleCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bundle",
    abstract: "Carry a whole project to a host with no network: the tool, the models, the runtimes, the project.",
    discussion: """
      On a connected machine, `bundle export FILE` writes one tar.zst: bin/synapse-local and \
      share/synapse-local/ first (`tar --zstd -xf FILE bin share` bootstraps the tool by hand, \
      once `sha256sum` has checked the file: a tool from an altered bundle would approve it), \
      then a manifest with every member's size and sha256, the project file and its lock, the model \
      files the lock pins, the llama.cpp archive and a wheelhouse of binary wheels. On the \
      air-gapped host, `bundle import FILE` checks that it is the bundle that was exported (the \
      file's SHA-256 that export printed, or a signature by a key you trust), verifies every \
      member while it streams, then places the models, writes the project and installs the \
      runtimes with no network; `up` then works.

      Examples:
        synapse-local bundle export synapse.tar.zst --project ~/synapse
        synapse-local bundle import synapse.tar.zst --sha256 HEX --project ~/synapse
        synapse-local bundle keygen ~/keys
        synapse-local bundle export s.tar.zst --sign ~/keys/bundle-signing.key
        synapse-local bundle import s.tar.zst --trust bundle-signing.pub
      """,
    subcommands: [
      BundleExportCommand.self, BundleImportCommand.self, BundleVerifyCommand.self, BundleListCommand.self, BundleKeygenCommand.self,
    ])
}
