import SynapseLocalCLI

await SynapseLocalEntryPoint.run()
