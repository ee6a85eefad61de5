import Foundation
import SynapseLocalSystem

/// The speed figures kept in SYNAPSE_LOCAL_HOME: `speed/calibration.json` (one per machine) and
/// `speed/measurements.json` (the latest per machine, engine and model). Written atomically; an
/// unreadable file counts as none, and is replaced on the next write.
public struct SpeedRecords: Sendable {
  public var folder: String
  public var files: any FileSystem
  /// What a writer waits on while another holds the lock.
  public var time: any TimeSource

  public init(home: RuntimeHome, files: any FileSystem, time: any TimeSource) {
    folder = home.path + "/speed"
    self.files = files
    self.time = time
  }

  /// The records of the home the context's environment names.
  public init(context: Context) {
    self.init(home: RuntimeHome(environment: context.environment), files: context.files, time: context.time)
  }

  var calibrationPath: String { folder + "/calibration.json" }
  var measurementsPath: String { folder + "/measurements.json" }

  /// The calibration taken on this machine, if any.
  public func calibration(for machine: MachineFingerprint) -> Calibration? {
    allCalibrations().first { $0.machine == machine }
  }

  func allCalibrations() -> [Calibration] {
    guard let data = files.contents(calibrationPath) else { return [] }
    return (try? JSONDecoder().decode([Calibration].self, from: data)) ?? []
  }

  public func save(_ calibration: Calibration) async throws {
    try await exclusively {
      let kept = allCalibrations().filter { $0.machine != calibration.machine } + [calibration]
      try write(kept, to: calibrationPath)
    }
  }

  public func measurements(for machine: MachineFingerprint) -> [SpeedMeasurement] {
    allMeasurements().filter { $0.machine == machine }
  }

  func allMeasurements() -> [SpeedMeasurement] {
    guard let data = files.contents(measurementsPath) else { return [] }
    return (try? JSONDecoder().decode([SpeedMeasurement].self, from: data)) ?? []
  }

  /// Keeps the newest figure per machine, engine and model: what the next recommendation reads.
  public func record(_ measurement: SpeedMeasurement) async throws {
    try await exclusively {
      let kept =
        allMeasurements().filter {
          !($0.machine == measurement.machine && $0.engine == measurement.engine && $0.model == measurement.model)
        } + [measurement]
      try write(kept, to: measurementsPath)
    }
  }

  /// Read, change and write under an exclusive lock, so a `bench` and a `tune` finishing together
  /// do not lose each other's figures.
  /// A lock that cannot be taken (a read-only folder) does not stop the write.
  func exclusively(_ body: () throws -> Void) async throws {
    try files.createDirectory(folder)
    let held: (any FileLock)?
    do {
      held = try await files.lock(folder + "/.lock", time: time)
    } catch is CancellationError {
      throw CancellationError()
    } catch {
      held = nil
    }
    defer { held?.release() }
    try body()
  }

  func write(_ value: some Encodable, to path: String) throws {
    try files.createDirectory(folder)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try files.write(try encoder.encode(value), to: path, permissions: 0o644)
  }

  public static func timestamp(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
