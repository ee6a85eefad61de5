// swift-tools-version: 6.2
import PackageDescription

let strict: [SwiftSetting] = [
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("MemberImportVisibility"),
  .treatAllWarnings(as: .error),
]

let package = Package(
  name: "synapse-local",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "synapse-local", targets: ["synapse-local"]),
    .executable(name: "synapse-local-keeper", targets: ["synapse-local-keeper"]),
    .library(name: "SynapseLocalCore", targets: ["SynapseLocalCore"]),
    .library(name: "SynapseLocalSystem", targets: ["SynapseLocalSystem"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.0"),
    .package(url: "https://github.com/apple/swift-system", from: "1.5.0"),
    .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
  ],
  targets: [
    .executableTarget(
      name: "synapse-local",
      dependencies: ["SynapseLocalCLI"],
      swiftSettings: strict),
    .target(
      name: "SynapseLocalCLI",
      dependencies: [
        "SynapseLocalSystem",
        "SynapseLocalCore",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: strict),
    .systemLibrary(
      name: "COpenSSL",
      pkgConfig: "libcrypto",
      providers: [.apt(["libssl-dev"])]),
    .systemLibrary(
      name: "CCurl",
      pkgConfig: "libcurl",
      providers: [.apt(["libcurl4-openssl-dev"])]),
    .systemLibrary(
      name: "CArchive",
      pkgConfig: "libarchive",
      providers: [.apt(["libarchive-dev"])]),
    .target(name: "CProcessShims"),
    // The keeper each service runs under, in C: about 1 MiB where a Swift process takes 28 MiB.
    // (--as-needed: SwiftPM links every executable against the Swift runtime, which C never calls.)
    // (The Swift runtime linked in: SwiftPM links it into every executable, and a shared one
    // costs each keeper about 1 MiB more of resident memory.)
    .executableTarget(
      name: "synapse-local-keeper",
      linkerSettings: [.unsafeFlags(["-static-stdlib", "-Xlinker", "--gc-sections", "-Xlinker", "--as-needed"])]),
    .target(name: "CMemoryScan"),
    .target(name: "CFileShims"),
    // The effects and the plumbing under them (files, processes, clock, ports, HTTP, formatting):
    // no domain type, so a backwards use does not compile.
    .target(
      name: "SynapseLocalSystem",
      dependencies: [
        "CCurl",
        "CFileShims",
        "CProcessShims",
        .product(name: "Subprocess", package: "swift-subprocess"),
        .product(name: "SystemPackage", package: "swift-system"),
      ],
      swiftSettings: strict),
    .target(
      name: "SynapseLocalCore",
      dependencies: [
        "SynapseLocalSystem",
        "COpenSSL",
        "CCurl",
        "CArchive",
        "CProcessShims",
        "CMemoryScan",
        .product(name: "Yams", package: "Yams"),
        .product(name: "Mustache", package: "swift-mustache"),
        .product(name: "Subprocess", package: "swift-subprocess"),
        .product(name: "SystemPackage", package: "swift-system"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "Prometheus", package: "swift-prometheus"),
      ],
      swiftSettings: strict),
    .target(
      name: "SynapseLocalTesting",
      dependencies: [
        "SynapseLocalSystem",
        "SynapseLocalCore",
        .product(name: "Subprocess", package: "swift-subprocess"),
        .product(name: "SystemPackage", package: "swift-system"),
      ],
      swiftSettings: strict),
    .testTarget(
      name: "SynapseLocalCoreTests",
      dependencies: ["SynapseLocalSystem", "SynapseLocalCore", "SynapseLocalTesting", .product(name: "Yams", package: "Yams")],
      swiftSettings: strict),
    .testTarget(
      name: "SynapseLocalIntegrationTests",
      dependencies: ["SynapseLocalSystem", "SynapseLocalCore", "SynapseLocalTesting"],
      swiftSettings: strict),
    .testTarget(
      name: "SynapseLocalCLITests",
      dependencies: [
        "SynapseLocalCLI", "SynapseLocalSystem", "SynapseLocalCore", "SynapseLocalTesting", .product(name: "Yams", package: "Yams"),
      ],
      swiftSettings: strict),
  ]
)
