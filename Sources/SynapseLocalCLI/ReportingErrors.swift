import ArgumentParser
import SynapseLocalCore
import SynapseLocalSystem

/// Runs a command body, turning any error into one line on stderr (through `output`) and exit
/// status 1, so no user ever sees a stack trace or Swift's error dump.
func reportingErrors(_ output: any OutputSink, _ body: () async throws -> Void) async throws {
  do {
    try await body()
  } catch let error as ExitCode {
    throw error
  } catch let error as CleanExit {
    throw error
  } catch let error as ValidationError {
    throw error
  } catch {
    output.error(String(describing: error))
    throw ExitCode(1)
  }
}
