import Foundation
import SynapseLocalSystem

/// The dev server a frontend package uses, known from its dependencies.
public enum WebServer: String, Sendable, Equatable {
  case vite, next
  case createReactApp = "react-scripts"
  case nuxt
  case sveltekit = "@sveltejs/kit"
  case astro
  case angular = "@angular/cli"
  case
    webpack = "webpack-dev-server"
  case parcel
  case remix = "@remix-run/dev"
  case gatsby

  /// In order: a SvelteKit app depends on vite too, and is SvelteKit.
  static let byPackage: [(String, WebServer)] = [
    ("next", .next), ("nuxt", .nuxt), ("@sveltejs/kit", .sveltekit), ("astro", .astro), ("@remix-run/dev", .remix), ("gatsby", .gatsby),
    ("@angular/cli", .angular), ("react-scripts", .createReactApp), ("vite", .vite), ("webpack-dev-server", .webpack),
    ("parcel", .parcel),
  ]

  public init?(dependencies: Set<String>) {
    guard let found = Self.byPackage.first(where: { dependencies.contains($0.0) }) else { return nil }
    self = found.1
  }

  /// The variable the page reads the backend's URL from: only variables with the framework's
  /// public prefix reach the browser.
  public var apiURLVariable: String {
    switch self {
    case .next: "NEXT_PUBLIC_API_URL"
    case .createReactApp: "REACT_APP_API_URL"
    case .nuxt: "NUXT_PUBLIC_API_URL"
    case .gatsby: "GATSBY_API_URL"
    case .astro: "PUBLIC_API_URL"
    default: "VITE_API_URL"
    }
  }

  /// Servers that take `--port` and `--host` on the command line (Vite, and SvelteKit's Vite).
  public var takesPortAndHostArguments: Bool { self == .vite || self == .sveltekit }
}
