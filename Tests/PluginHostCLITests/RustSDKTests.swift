import Foundation
import PluginHostCore
import PluginHostTestSupport
import Testing

/// The Rust SDK (`sdk/rust`): its own `cargo test` (the ABI types against `cc`'s layout of
/// plugin.h, the note, the panic boundary, the JSON reader), and the example plugin built with
/// cargo, checked by `scan --strict` and run in a workflow beside the bundled C plugins. Skipped,
/// with a message, on a machine without cargo.
@Suite("Rust SDK")
struct RustSDKTests {
    /// Where cargo is on this machine's PATH, or nil.
    static let cargoPath: String? = {
        guard let found = try? ProcessRunner.run("/bin/sh", ["-c", "command -v cargo"]), found.status == 0 else { return nil }
        let path = found.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return path.isEmpty ? nil : path
    }()
    static var cargoMissing: Bool { cargoPath == nil }

    /// What a shell with its own HOME and PATH needs to run this machine's cargo: its directory
    /// (to append to PATH) and, for a rustup proxy, rustup's and cargo's homes from the real HOME.
    static let cargoEnvironment: (pathDirectory: String, variables: [String: String]) = {
        let environment = ProcessInfo.processInfo.environment
        let home = environment["HOME"] ?? NSHomeDirectory()
        var variables: [String: String] = [:]
        for (name, fallback) in [("RUSTUP_HOME", home + "/.rustup"), ("CARGO_HOME", home + "/.cargo")] {
            if let value = environment[name] { variables[name] = value }
            else if access(fallback, F_OK) == 0 { variables[name] = fallback }
        }
        return ((cargoPath.map { ($0 as NSString).deletingLastPathComponent }) ?? "/usr/bin", variables)
    }()

    /// Runs cargo offline (the crate has no dependencies) with its output in `target`.
    static func cargo(_ arguments: [String], in directory: String, target: String) throws -> ProcessRunner.Result {
        var environment = ProcessInfo.processInfo.environment
        environment["CARGO_TARGET_DIR"] = target
        environment["CARGO_TERM_COLOR"] = "never"
        return try ProcessRunner.run("cargo", arguments + ["--offline"], environment: environment, currentDirectory: directory)
    }

    static func skipped() -> Bool {
        if cargoMissing { print("RustSDKTests: SKIPPED, cargo is not on PATH (Debian: apt-get install cargo)") }
        return cargoMissing
    }

    @Test("cargo test passes for sdk/rust/plugin-host-sdk", .timeLimit(.minutes(5)))
    func crateTests() throws {
        if Self.skipped() { return }
        let target = try TemporaryDirectory(prefix: "rust-sdk-target")
        let result = try Self.cargo(["test"], in: CPluginBuilder.repositoryRoot + "/sdk/rust/plugin-host-sdk", target: target.path)
        #expect(result.status == 0, "cargo test failed:\n\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("rust_types_match_the_c_header ... ok"), "\(result.stdout)")
    }

    @Test("The Rust example passes scan --strict and its nodes run beside the C ones", .timeLimit(.minutes(5)))
    func examplePlugin() throws {
        if Self.skipped() { return }
        let example = CPluginBuilder.repositoryRoot + "/sdk/rust/examples/rust-math"
        let target = try TemporaryDirectory(prefix: "rust-example-target")
        let build = try Self.cargo(["build", "--release"], in: example, target: target.path)
        try #require(build.status == 0, "cargo build failed:\n\(build.stderr)")
        let plugins = try TemporaryDirectory(prefix: "rust-plugins")
        let library = plugins.path + "/libph_rust_math.so"
        try FileManager.default.copyItem(atPath: target.path + "/release/libph_rust_math.so", toPath: library)
        chmod(plugins.path, 0o755)

        let scan = try CLI.json(["scan", "--strict", "--json", plugins.path])
        let entry = try #require(scan.value.plugin(endingWith: "libph_rust_math.so"), "\(scan.value)")
        #expect(scan.status == 0 && entry["status"]?.stringValue == "ok", "\(entry) \(scan.stderr)")
        #expect(entry.problemCodes.isEmpty, "\(entry)")

        let run = try CLI.json(["run", example + "/workflow.json", "--plugin-dir", plugins.path, "--json"])
        #expect(run.status == 0 && run.value["status"]?.stringValue == "success", "\(run.value) \(run.stderr)")
        #expect(run.value["nodes"]?["Multiply"]?["output"]?["result"]?.doubleValue == 12, "a Rust node reads a C node's output")
        #expect(run.value["nodes"]?["Shout"]?["output"]?["result"]?.stringValue == "HELLO, PLUGIN-HOST!", "a C node reads a Rust node's output")

        // An Err from Rust reaches the user with its code and text, in process and in a worker.
        for isolation in ["none", "process"] {
            let failed = try CLI.json(["exec", "rust.multiply", "--plugin-dir", plugins.path, "--isolation", isolation, "--json",
                                       "--params", #"{"a":1e300,"b":1e300}"#])
            #expect(failed.status != 0 && failed.value["errorCode"]?.stringValue == "INVALID_PARAMETERS", "\(isolation): \(failed.value)")
            #expect(failed.value["error"]?.stringValue == "a * b is too large for a JSON number", "\(isolation): \(failed.value)")
        }
    }
}
