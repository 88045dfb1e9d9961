// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "CourtSync",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "courtsync", targets: ["courtsync"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
    ],
    targets: [
        /// zlib from the system (Debian: libz-dev).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["libz-dev"])]
        ),
        /// The domain core: courts, case numbers, matters, events, lifecycle, deadlines. No I/O.
        .target(
            name: "Entrustment",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        /// The change-set codec: framing, limits and zlib compression (spec in Protocol/).
        .target(
            name: "SyncProtocol",
            dependencies: [
                "Entrustment",
                "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        /// The node's SQLite replica (GRDB over the system libsqlite3).
        .target(
            name: "Replica",
            dependencies: ["Entrustment", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        /// Node operations shared by the CLI and (later) the daemon: acts on matters, change files.
        .target(
            name: "Node",
            dependencies: ["Entrustment", "SyncProtocol", "Replica"]
        ),
        /// The `courtsync` command.
        .executableTarget(
            name: "courtsync",
            dependencies: [
                "Node",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "TestSupport",
            dependencies: ["Entrustment", "SyncProtocol", "Replica", "Node"],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "EntrustmentTests", dependencies: ["Entrustment", "TestSupport"]),
        .testTarget(name: "SyncProtocolTests", dependencies: ["SyncProtocol", "TestSupport"]),
        .testTarget(name: "ReplicaTests", dependencies: ["Replica", "Node", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "courtsync"]),
    ],
    swiftLanguageModes: [.v6]
)
