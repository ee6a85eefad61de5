import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct ExportCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write the project's plan for another way of running it: a systemd unit, or Kubernetes manifests.",
    discussion: """
      `export systemd` writes a unit that runs the supervisor in the foreground (`up`), so the \
      stack starts at boot and comes back when it fails; `--install` puts it in place and enables \
      it. docs/systemd.md explains the unit. `export kubernetes` writes manifests and a \
      kustomization.yaml for a cluster (docs/kubernetes.md).

      Examples:
        synapse-local export systemd -o deploy/
        sudo synapse-local export systemd -o deploy/ --install --project /srv/synapse
        synapse-local export systemd -o deploy/ --user --install
        synapse-local export kubernetes -o k8s/ --image embedding=reg/e:1 --image backend=reg/b:1 --image frontend=reg/f:1
      """,
    subcommands: [ExportSystemdCommand.self, ExportKubernetesCommand.self])
}
