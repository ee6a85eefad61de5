import Foundation
import SynapseLocalSystem

/// The speed figures kept in SYNAPSE_LOCAL_HOME: `speed/calibration.json` (one per machine) and
/// `speed/measurements.json` (the latest per machine, engine and model). Written atomically; an
/// unreadable file counts as none, and is replaced on the next write.
public struct SpeedRecords: Sendable {
  public var folder: String

  public init(home: RuntimeHome) {
    folder = home.path + "/speed"
  }

  public init(environment: [String: String]) {
    self.init(home: RuntimeHome(environment: environment))
  }

  var calibrationPath: String { folder + "/calibration.json" }
  var measurementsPath: String { folder + "/measurements.json" }

  /// The calibration taken on this machine, if any.
  public func calibration(for machine: MachineFingerprint) -> Calibration? {
    allCalibrations().first { $0.machine == machine }
  }

  func allCalibrations() -> [Calibration] {
    guard let data = FileManager.default.contents(atPath: calibrationPath) else { return [] }
    return (try? JSONDecoder().decode([Calibration].self, from: data)) ?? []
  }

  public func save(_ calibration: Calibration) throws {
    try exclusively {
      let kept = allCalibrations().filter { $0.machine != calibration.machine } + [calibration]
      try write(kept, to: calibrationPath)
    }
  }

  public func measurements(for machine: MachineFingerprint) -> [SpeedMeasurement] {
    allMeasurements().filter { $0.machine == machine }
  }

  func allMeasurements() -> [SpeedMeasurement] {
    guard let data = FileManager.default.contents(atPath: measurementsPath) else { return [] }
    return (try? JSONDecoder().decode([SpeedMeasurement].self, from: data)) ?? []
  }

  /// Keeps the newest figure per machine, engine and model: what the next recommendation reads.
  public func record(_ measurement: SpeedMeasurement) throws {
    try exclusively {
      let kept =
        allMeasurements().filter {
          !($0.machine == measurement.machine && $0.engine == measurement.engine && $0.model == measurement.model)
        } + [measurement]
      try write(kept, to: measurementsPath)
    }
  }

  /// Read, change and write under an exclusive lock, so a `bench` and a `tune` finishing together
  /// do not lose each other's figures.
  func exclusively(_ body: () throws -> Void) throws {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let fd = open(folder + "/.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
    guard fd >= 0 else { return try body() }
    defer { close(fd) }
    _ = flock(fd, LOCK_EX)
    defer { _ = flock(fd, LOCK_UN) }
    try body()
  }

  func write(_ value: some Encodable, to path: String) throws {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try AtomicFile.write(try encoder.encode(value), to: path)
  }

  public static func timestamp(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
