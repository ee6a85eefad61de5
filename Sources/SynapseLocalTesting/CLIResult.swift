import SynapseLocalSystem

/// What a command line ended with, in this process (`InProcessCLI`) or as the built binary
/// (`CLIRunner`): the same status and streams a finished short command reports.
public typealias CLIResult = ProcessResult
