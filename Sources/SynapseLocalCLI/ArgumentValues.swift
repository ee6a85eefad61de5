import ArgumentParser
import SynapseLocalCore

// The Core enumerations a flag takes by their raw values (`--engine vllm`, `--mode production`).
extension AppMode: ExpressibleByArgument {}
extension Engine: ExpressibleByArgument {}
extension ModelRole: ExpressibleByArgument {}
extension Platform: ExpressibleByArgument {}
extension Preference: ExpressibleByArgument {}
extension ServiceName: ExpressibleByArgument {}
