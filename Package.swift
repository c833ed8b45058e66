// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "vidflow",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vidflow", targets: ["vidflow"]),
        .library(name: "VidflowCore", targets: ["VidflowCore"]),
        .library(name: "VidflowEngine", targets: ["VidflowEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.7.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        // `vidflow.toml` (swift-configuration reads JSON/YAML/plist but not TOML).
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // Definitions, stage protocol, state machine, planner, cache keys. No I/O frameworks.
        .target(name: "VidflowCore", dependencies: [
            .product(name: "Yams", package: "Yams"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Persistence: GRDB over SQLite (WAL), artifacts on disk.
        .target(name: "VidflowStore", dependencies: [
            "VidflowCore",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Scheduler: concurrency, retries, timeouts, cancellation, recovery, events.
        .target(name: "VidflowEngine", dependencies: [
            "VidflowCore",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        // FFmpeg's C libraries (apt: libavformat-dev libavcodec-dev libswresample-dev libswscale-dev libavutil-dev).
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat libavcodec libswresample libswscale libavutil",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswresample-dev", "libswscale-dev", "libavutil-dev"])]
        ),
        // Swift wrappers over FFmpeg: probe, transcode, thumbnail, render.
        .target(name: "VidflowMedia", dependencies: ["CFFmpeg"]),
        // Built-in stage types and the provider protocol with the offline `local` provider.
        .target(name: "VidflowProviders", dependencies: [
            "VidflowCore", "VidflowMedia",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "Metrics", package: "swift-metrics"),
            // Provider and speech-service settings are read through a ConfigReader (`VidflowSettings`).
            .product(name: "Configuration", package: "swift-configuration"),
        ]),
        // The HTTP service (`vidflow serve`): Hummingbird 2, the engine in-process as a Service.
        .target(name: "VidflowServer", dependencies: [
            "VidflowCore", "VidflowStore", "VidflowEngine", "VidflowProviders",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "MultipartKit", package: "multipart-kit"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .executableTarget(name: "vidflow", dependencies: [
            "VidflowCore", "VidflowStore", "VidflowEngine", "VidflowProviders", "VidflowServer",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Configuration", package: "swift-configuration"),
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        .executableTarget(name: "vidflow-bench", dependencies: [
            "VidflowCore", "VidflowStore", "VidflowEngine", "VidflowMedia", "VidflowProviders",
            .product(name: "Histogram", package: "hdrhistogram-swift"),
            // `vidflow-bench sse`: the server in-process, its streams read over loopback HTTP.
            "VidflowServer",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "VidflowCoreTests", dependencies: ["VidflowCore"]),
        .testTarget(name: "VidflowStoreTests", dependencies: [
            "VidflowStore", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "VidflowEngineTests", dependencies: ["VidflowEngine", "VidflowStore"]),
        // Helpers shared by test targets (running the ffmpeg CLI, skipping when it is missing).
        .target(name: "VidflowTestSupport", path: "Tests/VidflowTestSupport"),
        .testTarget(name: "VidflowMediaTests", dependencies: ["VidflowMedia", "VidflowTestSupport"]),
        // CLI tests: run the built `vidflow` binary as a child process over temp data directories.
        .testTarget(name: "VidflowCLITests", dependencies: ["VidflowStore", "VidflowCore"]),
        .testTarget(name: "VidflowProvidersTests", dependencies: [
            "VidflowProviders", "VidflowEngine", "VidflowStore", "VidflowMedia", "VidflowTestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            // Provider request metrics are read back from swift-metrics' test factory.
            .product(name: "MetricsTestKit", package: "swift-metrics"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Crypto", package: "swift-crypto"),
            // The Vertex fake verifies RS256 JWTs with a key pair made in the test.
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "CryptoExtras", package: "swift-crypto"),
        ]),
        .testTarget(name: "VidflowServerTests", dependencies: [
            "VidflowServer", "VidflowStore", "VidflowCore", "VidflowEngine", "VidflowProviders",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
