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
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", exact: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
    ],
    targets: [
        /// zlib from the system (Debian: libz-dev).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["libz-dev"])]
        ),
        /// libcrypto from the system's OpenSSL 3 (Debian: libssl-dev), for SM2 and SM3.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        /// The national algorithms (国密): SM2 signatures and SM3 hashes over OpenSSL 3.
        .target(name: "GMCrypto", dependencies: ["COpenSSL"]),
        /// The domain core: courts, case numbers, matters, events, lifecycle, deadlines, and the
        /// signature suites (Ed25519/SHA-256, SM2/SM3). No I/O.
        .target(
            name: "Entrustment",
            dependencies: ["GMCrypto", .product(name: "Crypto", package: "swift-crypto")]
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
        /// The hub's shared store on PostgreSQL (postgres-nio), for a hub running as several
        /// processes: the mirrored replica tables written one version at a time, `LISTEN/NOTIFY`
        /// between processes, shared request nonces, the analysts' views (`docs/postgres.md`).
        .target(
            name: "PostgresStore",
            dependencies: [
                "Entrustment", "Replica",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        /// Node operations shared by the CLI and (later) the daemon: acts on matters, change files.
        .target(
            name: "Node",
            dependencies: [
                "Entrustment", "SyncProtocol", "Replica", "PostgresStore",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        /// Completion time and monitoring: per-matter timings, the indicators (`docs/indicators.md`),
        /// sync latency per node, and the replica queries that feed them.
        .target(
            name: "Monitoring",
            dependencies: ["Entrustment", "Replica"]
        ),
        /// The workload model: which courts make a demo network, and a seeded plan of the matters
        /// they send and every act on them in simulated time. No I/O; the demo and the benchmarks
        /// drive real nodes with it.
        .target(name: "Workload", dependencies: ["Entrustment"]),
        /// Sync between nodes: the protocol's server side, the per-link engine (cursors, backoff,
        /// quarantine), node.json, TLS settings and the HTTP/1.1 client transport (SwiftNIO with
        /// NIOSSL). No HTTP server framework.
        .target(
            name: "SyncEngine",
            dependencies: [
                "Entrustment", "SyncProtocol", "Replica", "Node", "PostgresStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        /// The node daemon: the Hummingbird HTTP server and the sync scheduler under service lifecycle.
        .target(
            name: "Daemon",
            dependencies: [
                "SyncEngine", "Node", "Replica", "Monitoring", "PostgresStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        /// The demo network: nodes on disk, their `courtsync serve` processes, and the workload
        /// driven through them on an accelerated clock (`courtsync demo`).
        .target(
            name: "Demo",
            dependencies: ["Entrustment", "Node", "Replica", "SyncEngine", "Workload"]
        ),
        /// The benchmarks (`courtsync bench`, `docs/performance.md`): apply throughput, wire size,
        /// propagation, hub fan-in, memory and bootstrap, each beside its reference.
        .target(
            name: "Bench",
            dependencies: [
                "Entrustment", "SyncProtocol", "Replica", "Node", "SyncEngine", "Demo", "PostgresStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        /// The `courtsync` command.
        .executableTarget(
            name: "courtsync",
            dependencies: [
                "Node", "Replica", "SyncEngine", "Daemon", "Monitoring", "Workload", "Demo", "Bench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        /// The libFuzzer target for the change-set decoder (`docs/fuzzing.md`).
        .executableTarget(
            name: "ChangeSetFuzz",
            dependencies: ["Entrustment", "SyncProtocol"]
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "Entrustment", "GMCrypto", "SyncProtocol", "Replica", "Node", "SyncEngine", "Workload", "Demo", "PostgresStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "EntrustmentTests", dependencies: ["Entrustment", "GMCrypto", "TestSupport"]),
        .testTarget(name: "SyncProtocolTests", dependencies: ["SyncProtocol", "Node", "GMCrypto", "TestSupport"]),
        .testTarget(
            name: "ReplicaTests",
            dependencies: ["Replica", "Node", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "SyncEngineTests", dependencies: ["SyncEngine", "Node", "Replica", "TestSupport"]),
        .testTarget(
            name: "MonitoringTests",
            dependencies: [
                "Monitoring", "Node", "Replica", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(name: "WorkloadTests", dependencies: ["Workload", "Entrustment", "Node", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "courtsync"]),
        .testTarget(
            name: "PostgresStoreTests",
            dependencies: [
                "PostgresStore", "TestSupport", "Entrustment", "Replica", "Node", "SyncEngine",
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "NetworkTests",
            dependencies: [
                "TestSupport", "courtsync", "Entrustment", "Node", "Replica", "SyncEngine", "Monitoring", "Demo",
                "Bench", "PostgresStore", "GMCrypto", "SyncProtocol",
            ]),
    ],
    swiftLanguageModes: [.v6]
)
