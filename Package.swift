// swift-tools-version: 6.1
// Lumbung: an embeddable LMDB + zstd household store for Indonesia's social-welfare registry.
import PackageDescription

let package = Package(
    name: "Lumbung",
    // Builds and is tested on Linux only (Debian 12, Swift 6.1 or later, Debian's liblmdb and
    // libzstd through pkg-config, jemalloc for the CLI). No Apple platform is declared: none is
    // built or tested.
    products: [
        .library(name: "Lumbung", targets: ["Lumbung"]),
        .library(name: "LumbungSynthetic", targets: ["LumbungSynthetic"]),
        .library(name: "LumbungIO", targets: ["LumbungIO"]),
        .library(name: "LumbungHTTP", targets: ["LumbungHTTP"]),
        .executable(name: "lumbung", targets: ["LumbungCLI"]),
        // The same binary under its target's name, so the GenerateFixtures plugin can depend on it
        // (SwiftPM looks a plugin's executable dependency up as a product of that name:
        // swiftlang/swift-package-manager#8831).
        .executable(name: "LumbungCLI", targets: ["LumbungCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-http-types.git", exact: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", exact: "1.35.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", exact: "1.33.2"),
        // .xlsx: the zip container (streamed entries) and the workbook's small XML parts.
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", exact: "0.9.20"),
        .package(url: "https://github.com/CoreOffice/XMLCoder.git", exact: "0.18.2"),
    ],
    targets: [
        // System libraries: Debian's liblmdb-dev and libzstd-dev.
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),

        // Compiles the official region-code table into a compact generated source.
        .executableTarget(name: "WilayahCompiler", path: "Plugins/WilayahCompilerTool"),
        .plugin(
            name: "WilayahTablePlugin",
            capability: .buildTool(),
            dependencies: ["WilayahCompiler"]
        ),

        // Embeds the HTTP API's OpenAPI document into LumbungHTTP as a string.
        .executableTarget(name: "EmbedTextTool", path: "Plugins/EmbedTextTool"),
        .plugin(name: "EmbedTextPlugin", capability: .buildTool(), dependencies: ["EmbedTextTool"]),

        // `swift package generate-fixtures`: synthetic household files via `lumbung generate`.
        .plugin(
            name: "GenerateFixtures",
            capability: .command(
                intent: .custom(
                    verb: "generate-fixtures",
                    description: "Write synthetic households (CSV or JSON Lines) for tests and benchmarks"),
                permissions: [.writeToPackageDirectory(reason: "It writes the fixture files into Fixtures/ (or --output DIR).")]
            ),
            dependencies: ["LumbungCLI"]
        ),

        // The storage kernel.
        .target(
            name: "Lumbung",
            dependencies: [
                "CLMDB",
                "CZstd",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Wilayah/Data"],
            plugins: ["WilayahTablePlugin"]
        ),

        // Deterministic synthetic households (tests, benchmarks, `lumbung generate`).
        .target(name: "LumbungSynthetic", dependencies: ["Lumbung"]),

        // File import/export: flat CSV and JSON Lines, optionally zstd-compressed; Excel .xlsx.
        .target(
            name: "LumbungIO",
            dependencies: [
                "Lumbung", "CZstd",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "XMLCoder", package: "XMLCoder"),
            ]),

        // Publishing snapshots into PostgreSQL for national queries and BI (`lumbung publish`):
        // its own target, so the core and LumbungIO never depend on postgres-nio.
        .target(
            name: "LumbungPublish",
            dependencies: [
                "Lumbung",
                "LumbungIO",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),

        // The HTTP adapter: REST under /v1, DCI search, change feed, metrics (Hummingbird 2).
        .target(
            name: "LumbungHTTP",
            dependencies: [
                "Lumbung",
                "LumbungIO",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            exclude: ["OpenAPI/openapi.yaml", "Console/Files"],
            plugins: ["EmbedTextPlugin"]
        ),

        // Mounting Lumbung's router inside your own Hummingbird app (the README's example).
        .executableTarget(
            name: "EmbeddedServerExample",
            dependencies: [
                "Lumbung", "LumbungHTTP", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Examples/EmbeddedServer"
        ),

        // The command-line adapter.
        .executableTarget(
            name: "LumbungCLI",
            dependencies: [
                "Lumbung",
                "LumbungSynthetic",
                "LumbungIO",
                "LumbungHTTP",
                "LumbungPublish",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            // jemalloc as the process's malloc: an import allocates on one thread and frees on
            // another, which glibc's malloc does slowly (28% less CPU for a CSV import, measured).
            linkerSettings: [.linkedLibrary("jemalloc", .when(platforms: [.linux]))]
        ),

        // A small worker process the multi-process tests drive.
        .executableTarget(name: "LumbungProbe", dependencies: ["Lumbung", "LumbungSynthetic"]),

        // Helpers both test targets use: temporary directories, bounded waits for child processes.
        .target(name: "LumbungTestSupport", dependencies: ["Lumbung", "LumbungSynthetic"], path: "Tests/LumbungTestSupport"),
        // One test target a module: the core, file import/export, the CLI (through its binary), HTTP.
        .testTarget(name: "LumbungTests", dependencies: ["Lumbung", "LumbungSynthetic", "LumbungIO", "LumbungTestSupport"]),
        .testTarget(name: "LumbungIOTests", dependencies: ["Lumbung", "LumbungSynthetic", "LumbungIO", "LumbungTestSupport"]),
        .testTarget(name: "LumbungCLITests", dependencies: ["Lumbung", "LumbungSynthetic", "LumbungIO", "LumbungTestSupport"]),
        .testTarget(
            name: "LumbungHTTPTests",
            dependencies: [
                "LumbungTestSupport",
                "Lumbung",
                "LumbungSynthetic",
                "LumbungHTTP",
                "LumbungIO",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),

        // ordo-one/benchmark suites: `swift package benchmark`.
        .executableTarget(
            name: "StoreBenchmarks",
            dependencies: [
                "Lumbung",
                "LumbungSynthetic",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/StoreBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
