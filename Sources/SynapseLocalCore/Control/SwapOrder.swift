/// A swap as the user asked for it.
public struct SwapOrder: Codable, Sendable, Equatable {
  public var service: ServiceName
  /// The new model's REF (a local path is absolute by now).
  public var model: ModelReference
  public var hold: Bool
  public var allowDimensionChange: Bool
  /// `--context`: the chat model's new context (nil: the project's).
  public var context: Int?
  /// `--min-speed`: a new chat model predicted below it is swapped to with a warning.
  public var minimumSpeed: Double?

  public init(
    service: ServiceName, model: ModelReference, hold: Bool = false, allowDimensionChange: Bool = false, context: Int? = nil,
    minimumSpeed: Double? = nil
  ) {
    self.service = service
    self.model = model
    self.hold = hold
    self.allowDimensionChange = allowDimensionChange
    self.context = context
    self.minimumSpeed = minimumSpeed
  }

  enum CodingKeys: String, CodingKey {
    case service, model, hold, context
    case allowDimensionChange = "allow_dimension_change"
    case minimumSpeed = "min_speed"
  }
}
