// swift-tools-version: 6.1
//
// One module per layer; data flows one way (files → metadata → loaded plugin → runtime → CLI):
//   PluginHostCore   JSON values and the stable problem codes every layer reports with
//   PluginELF        reads ELF headers, notes and dynamic symbols from a file, never loading it
//   PluginMetadata   the manifest: reading it (ELF note or sidecar) and checking it strict/loose
//   PluginDiscovery  finding plugin files safely, the scan cache, the scan report
//   PluginFFI        function nodes: C signatures, libffi call interfaces, JSON ↔ C values
//   PluginLoader     the only module that calls dlopen or touches raw plugin pointers
//   PluginIsolation  worker processes: the wire protocol, the worker pool, the probe
//   PluginWorker     the `plugin-host-worker` executable: the worker's side of the protocol
//   PluginTenancy    tenant policies, strict data isolation and the audit log
//   PluginRuntime    the loaded host: dependencies, initialization, registry, node execution
//   PluginWorkflow   workflows: parsing, validation, DAG scheduling, rollback, the run journal, traces
//   PluginStore      the service's storage: tenants, versioned workflows, executions, journals (SQLite, PostgreSQL)
//   PluginService    `plugin-host serve`: the HTTP API (Hummingbird) over the store and the host
//   PluginHostCLI    the `plugin-host` command (argument parsing and printing only)
//   PluginEmbed      the embedding C ABI (embed.h), exported from libplugin_host.so
// Example plugins live in Plugins/, each its own dynamic library named libph-NAME.so.
import PackageDescription

let strictSwift: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]
/// Where an installed binary finds the Swift runtime copied beside it (scripts/install.sh,
/// docs/ARCHITECTURE.md "Distribution"): `bin/plugin-host` in `../lib/plugin-host`,
/// `lib/libplugin_host.so.1` in `plugin-host/`, the worker in its own directory, a Swift plugin in
/// `lib/plugin-host/plugins/` one level up. `$ORIGIN`-relative, so a prefix can be moved; in a
/// build folder these directories do not exist and the toolchain's RUNPATH entry still applies.
func originRunpath(_ relative: String) -> [LinkerSetting] {
    [.unsafeFlags(["-Xlinker", "-rpath", "-Xlinker", "$ORIGIN/" + relative])]
}
/// The SONAME carries the ABI major version, so an embedder linked against an installed
/// libplugin_host.so records libplugin_host.so.1. Only in scripts/install.sh's release build
/// (PLUGIN_HOST_INSTALL_BUILD): a build folder has no libplugin_host.so.1, and programs linked
/// against it there (examples/embed, the embed tests) must keep finding libplugin_host.so.
let installedLibraryName: [LinkerSetting] = Context.environment["PLUGIN_HOST_INSTALL_BUILD"] == nil
    ? [] : [.unsafeFlags(["-Xlinker", "-soname=libplugin_host.so.1"])]
/// Example plugins export only ph_plugin_entry, as the SDK asks of every plugin.
let pluginC: [CSetting] = [.unsafeFlags(["-fvisibility=hidden", "-Wall", "-Wextra", "-Werror"])]

let package = Package(
    name: "plugin-host",
    products: [
        .executable(name: "plugin-host", targets: ["PluginHostCLI"]),
        .executable(name: "plugin-host-bench", targets: ["PluginHostBench"]),
        // Runs plugin calls in a process of its own for hosts that isolate them; shipped beside
        // plugin-host and libplugin_host.so, where the host looks for it.
        .executable(name: "plugin-host-worker", targets: ["PluginWorker"]),
        .library(
            name: "PluginHost",
            targets: ["PluginHostCore", "PluginELF", "PluginMetadata", "PluginDiscovery", "PluginFFI", "PluginLoader", "PluginIsolation", "PluginTenancy", "PluginRuntime", "PluginWorkflow"]
        ),
        // The embedding C ABI (sdk/include/plugin_host/embed.h) for Python, Go, Rust, Node, C.
        .library(name: "plugin_host", type: .dynamic, targets: ["PluginEmbed"]),
        // Bundled example plugins. The `ph-` prefix is what the default search of the
        // executable's own directory looks for (libph-*.so), so host libraries are not scanned.
        .library(name: "ph-math", type: .dynamic, targets: ["MathPlugin"]),
        .library(name: "ph-string", type: .dynamic, targets: ["StringPlugin"]),
        .library(name: "ph-greeter", type: .dynamic, targets: ["GreeterPlugin"]),
        .library(name: "ph-demo", type: .dynamic, targets: ["DemoPlugin"]),
        .library(name: "ph-hazard", type: .dynamic, targets: ["HazardPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1", traits: []),
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
    ],
    targets: [
        // The SDK headers (ABI), exposed to Swift. Header-only: sdk/ holds docs, the template
        // and the Python binding, none of which SwiftPM may compile.
        .target(
            name: "PluginSDK",
            path: "sdk",
            exclude: ["README.md", "CHANGELOG.md", "EMBEDDING.md", "template", "python", "rust"],
            publicHeadersPath: "include"
        ),
        .target(name: "PluginHostCore", swiftSettings: strictSwift),
        .target(name: "PluginELF", dependencies: ["PluginHostCore"], swiftSettings: strictSwift),
        .target(
            name: "PluginMetadata",
            dependencies: ["PluginHostCore", "PluginELF", "PluginSDK"],
            swiftSettings: strictSwift
        ),
        .target(
            name: "PluginDiscovery",
            dependencies: ["PluginHostCore", "PluginMetadata", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSwift
        ),
        // libffi, the one system prerequisite (Debian: libffi-dev).
        .systemLibrary(name: "CFFI", path: "Sources/CFFI", pkgConfig: "libffi", providers: [.apt(["libffi-dev"])]),
        .target(name: "PluginFFI", dependencies: ["PluginHostCore", "PluginMetadata", "CFFI"], swiftSettings: strictSwift),
        // The exit guard's thread mark and exit handler (an exit() in a plugin running in process
        // ends the host with a message and status 70, not silently with the plugin's status).
        .target(name: "CPluginExitGuard", path: "Sources/CPluginExitGuard"),
        .target(
            name: "PluginLoader",
            dependencies: ["PluginHostCore", "PluginMetadata", "PluginDiscovery", "PluginFFI", "PluginSDK", "CPluginExitGuard", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSwift
        ),
        // Starting worker processes (posix_spawn attributes, closefrom): the host's side.
        .target(name: "CPluginIsolation", path: "Sources/CPluginIsolation"),
        .target(
            name: "PluginIsolation",
            dependencies: ["PluginHostCore", "PluginMetadata", "PluginDiscovery", "PluginLoader", "CPluginIsolation"],
            swiftSettings: strictSwift
        ),
        // The worker's crash reporter and counting malloc: linked into the worker only.
        .target(name: "CPluginWorkerRuntime", path: "Sources/CPluginWorkerRuntime"),
        .executableTarget(
            name: "PluginWorker",
            dependencies: [
                "PluginHostCore", "PluginMetadata", "PluginDiscovery", "PluginLoader", "PluginIsolation", "CPluginWorkerRuntime",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift,
            linkerSettings: originRunpath(".")
        ),
        .target(
            name: "PluginTenancy",
            dependencies: ["PluginHostCore", "PluginMetadata"],
            swiftSettings: strictSwift
        ),
        .target(
            name: "PluginRuntime",
            dependencies: [
                "PluginHostCore", "PluginMetadata", "PluginDiscovery", "PluginLoader", "PluginIsolation", "PluginTenancy", "PluginSDK",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "PluginWorkflow",
            dependencies: ["PluginHostCore", "PluginMetadata", "PluginDiscovery", "PluginLoader", "PluginTenancy", "PluginRuntime"],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "PluginHostCLI",
            dependencies: [
                "PluginStore", "PluginService",
                "PluginHostCore", "PluginMetadata", "PluginDiscovery", "PluginLoader", "PluginTenancy", "PluginRuntime", "PluginWorkflow",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift,
            linkerSettings: originRunpath("../lib/plugin-host")
        ),
        .target(
            name: "PluginEmbed",
            dependencies: [
                "PluginHostCore", "PluginMetadata", "PluginDiscovery", "PluginLoader", "PluginRuntime", "PluginTenancy", "PluginWorkflow", "PluginSDK",
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["exports.map"],
            swiftSettings: strictSwift,
            // Only embed.h's ph_* functions are the library's interface (exports.map).
            linkerSettings: originRunpath("plugin-host") + [
                .unsafeFlags(["-Xlinker", "--version-script=\(Context.packageDirectory)/Sources/PluginEmbed/exports.map"]),
            ] + installedLibraryName
        ),
        .executableTarget(
            name: "PluginHostBench",
            dependencies: [
                "PluginHostCore", "PluginELF", "PluginMetadata", "PluginDiscovery", "PluginFFI", "PluginLoader", "PluginIsolation", "PluginTenancy",
                "PluginRuntime", "PluginWorkflow", "PluginSDK", "CFFI", .product(name: "Logging", package: "swift-log"),
                // The throwaway PostgreSQL server of the service load figures (the tests' own).
                "PluginHostTestSupport",
            ],
            path: "bench/Sources",
            swiftSettings: strictSwift
        ),

        // Example plugins (each a dynamic library product; nothing may depend on them).
        .target(name: "MathPlugin", dependencies: ["PluginSDK"], path: "Plugins/math", publicHeadersPath: ".", cSettings: pluginC),
        .target(name: "StringPlugin", dependencies: ["PluginSDK"], path: "Plugins/string", publicHeadersPath: ".", cSettings: pluginC),
        // Nodes that fail, recover and hang on purpose, to demonstrate error recovery.
        .target(name: "DemoPlugin", dependencies: ["PluginSDK"], path: "Plugins/demo", exclude: ["README.md"], publicHeadersPath: ".", cSettings: pluginC),
        // Nodes that crash, exit, hang and exhaust memory on purpose, to show process isolation.
        .target(name: "HazardPlugin", dependencies: ["PluginSDK"], path: "Plugins/hazard", exclude: ["README.md"], publicHeadersPath: ".", cSettings: pluginC),
        // A Swift plugin; its metadata note comes from a one-file C companion target.
        .target(name: "GreeterMetadata", dependencies: ["PluginSDK"], path: "Plugins/greeter/metadata", cSettings: pluginC),
        .target(
            name: "GreeterPlugin",
            dependencies: ["PluginSDK", "GreeterMetadata"],
            path: "Plugins/greeter/swift",
            swiftSettings: strictSwift,
            linkerSettings: originRunpath("..")
        ),

        // Tests. None depends on a plugin target: tests find the built .so files beside the
        // test bundle, or compile their own with plain cc.
        .target(name: "PluginHostTestSupport", dependencies: ["PluginHostCore"], path: "Tests/PluginHostTestSupport", swiftSettings: strictSwift),
        .testTarget(name: "PluginHostCoreTests", dependencies: ["PluginHostCore"], swiftSettings: strictSwift),
        .testTarget(name: "PluginELFTests", dependencies: ["PluginELF", "PluginHostTestSupport"], swiftSettings: strictSwift),
        .testTarget(name: "PluginMetadataTests", dependencies: ["PluginMetadata", "PluginHostTestSupport"], swiftSettings: strictSwift),
        .testTarget(name: "PluginDiscoveryTests", dependencies: ["PluginDiscovery", "PluginHostTestSupport"], swiftSettings: strictSwift),
        // Function nodes are exercised end to end: C libraries built by cc, loaded by the loader,
        // and the libm example run through the runtime.
        .testTarget(
            name: "PluginFFITests",
            dependencies: ["PluginFFI", "PluginMetadata", "PluginDiscovery", "PluginLoader", "PluginRuntime", "PluginHostTestSupport"],
            swiftSettings: strictSwift
        ),
        .testTarget(name: "PluginLoaderTests", dependencies: ["PluginLoader", "PluginDiscovery", "PluginHostTestSupport"], swiftSettings: strictSwift),
        .testTarget(
            name: "PluginIsolationTests", dependencies: ["PluginIsolation", "PluginLoader", "PluginDiscovery", "PluginMetadata", "PluginHostTestSupport"],
            swiftSettings: strictSwift),
        .testTarget(name: "PluginTenancyTests", dependencies: ["PluginTenancy", "PluginHostTestSupport"], swiftSettings: strictSwift),
        .testTarget(name: "PluginRuntimeTests", dependencies: ["PluginRuntime", "PluginHostTestSupport"], swiftSettings: strictSwift),
        .testTarget(name: "PluginWorkflowTests", dependencies: ["PluginWorkflow", "PluginHostTestSupport"], swiftSettings: strictSwift),
        // The service's storage (SQLite and PostgreSQL): its heavy dependencies (GRDB,
        // postgres-nio, swift-crypto) stay in this target and its tests, so the core builds without them.
        .target(
            name: "PluginStore",
            dependencies: ["PluginHostCore", "PluginRuntime", "PluginWorkflow", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSwift
        ),
        .testTarget(name: "PluginStoreTests", dependencies: ["PluginStore", "PluginHostTestSupport"], swiftSettings: strictSwift),
        // `plugin-host serve`: the HTTP API on Hummingbird 2 over the store and the host.
        .target(
            name: "PluginService",
            dependencies: ["PluginHostCore", "PluginRuntime", "PluginWorkflow", "PluginStore", .product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "PluginServiceTests",
            dependencies: ["PluginService", "PluginStore", "PluginHostTestSupport", .product(name: "HummingbirdTesting", package: "hummingbird")],
            swiftSettings: strictSwift
        ),
        .testTarget(name: "PluginHostCLITests", dependencies: ["PluginHostCore", "PluginHostTestSupport"], swiftSettings: strictSwift),
        .testTarget(name: "PluginEmbedTests", dependencies: ["PluginHostCore", "PluginHostTestSupport"], swiftSettings: strictSwift),
        .testTarget(name: "SDKTests", dependencies: ["PluginHostTestSupport"], swiftSettings: strictSwift),
        // What each fuzz target does with one input; the suite replays the committed corpora
        // through it, and the fuzz executables below call it.
        .target(
            name: "FuzzHarness",
            dependencies: ["PluginHostCore", "PluginELF", "PluginMetadata", "PluginRuntime", "PluginTenancy", "PluginWorkflow"],
            path: "Tests/FuzzHarness",
            swiftSettings: strictSwift
        ),
        .testTarget(name: "FuzzHarnessTests", dependencies: ["FuzzHarness"], swiftSettings: strictSwift),
    ]
)

// libFuzzer executables (scripts/fuzz.sh): declared only when PLUGIN_HOST_FUZZ is set, because
// their `main` comes from libFuzzer (`--sanitize=fuzzer`) and an ordinary build has none.
if Context.environment["PLUGIN_HOST_FUZZ"] != nil {
    for name in ["ELF", "Metadata", "JSON", "Workflow", "Policy", "Schema"] {
        package.targets.append(.executableTarget(
            name: "Fuzz\(name)", dependencies: ["FuzzHarness"], path: "Tests/Fuzz/Fuzz\(name)", swiftSettings: strictSwift
        ))
    }
}
