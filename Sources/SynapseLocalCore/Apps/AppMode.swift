import Foundation
import SynapseLocalSystem

/// How the apps run: the dev servers (the guide's `pnpm run dev`), or built and started.
public enum AppMode: String, Sendable, CaseIterable, Codable {
  case dev, production
}
