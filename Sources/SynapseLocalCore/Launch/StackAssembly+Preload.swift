import Foundation
import SynapseLocalSystem

extension StackAssembly {
  /// `up --preload`: every engine loads at `up`, even one that unloads when idle (it still
  /// unloads after its idle period).
  public mutating func preloadEngines() {
    for index in specs.indices where specs[index].enginePort != nil { specs[index].preload = true }
  }
}
