import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct ModelsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "models",
    abstract: "Manage the model store (the Hugging Face cache shared with huggingface_hub).",
    discussion: """
      The store is $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub: the layout \
      huggingface_hub, transformers and sentence-transformers use, so nothing is downloaded twice \
      and what synapse-local stores loads in them with HF_HUB_OFFLINE=1.

      Examples:
        synapse-local models list
        synapse-local models import ./all-MiniLM-L6-v2 --as sentence-transformers/all-MiniLM-L6-v2
        synapse-local models verify --all
        synapse-local models rm bartowski/Llama-3.2-3B-Instruct-GGUF
      """,
    subcommands: [ModelsListCommand.self, ModelsImportCommand.self, ModelsVerifyCommand.self, ModelsRemoveCommand.self])
}
