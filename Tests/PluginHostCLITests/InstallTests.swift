import Foundation
import PluginHostTestSupport
import Testing

/// `scripts/install.sh` and `scripts/uninstall.sh` end to end, from the build the test run
/// already has (`--build-dir`): a release build would take minutes. That install has the same
/// layout, manifest and `$ORIGIN` RUNPATH entries as a release one; only the toolchain's RUNPATH
/// entry, which a build folder's binaries carry and the release install build drops
/// (`-no-toolchain-stdlib-rpath`), is allowed here.
@Suite("Install and uninstall")
struct InstallTests {
    /// Runs a shell command line with only the installed prefix on PATH.
    /// `withCargo` appends cargo's directory to PATH (after the prefix and the system).
    static func shell(_ script: String, prefix: String, home: String, in directory: String, withCargo: Bool = false) throws -> ProcessRunner.Result {
        var environment = [
            "PATH": prefix + "/bin:/usr/bin:/bin", "HOME": home, "PKG_CONFIG_PATH": prefix + "/lib/pkgconfig",
            "XDG_CACHE_HOME": home + "/cache", "LANG": "C",
        ]
        if withCargo {
            environment["PATH"]! += ":" + RustSDKTests.cargoEnvironment.pathDirectory
            environment.merge(RustSDKTests.cargoEnvironment.variables) { _, new in new }
        }
        return try ProcessRunner.run("/bin/sh", ["-c", script], environment: environment, currentDirectory: directory)
    }

    @Test("install.sh lays out a prefix that works from anywhere, and uninstall.sh leaves it empty",
          .timeLimit(.minutes(5)))
    func installRunUninstall() throws {
        if BuildProducts.pluginsAreSanitized { return }   // sanitizer-built products need the sanitizer runtime
        guard access("/usr/bin/pkg-config", X_OK) == 0 else {
            print("InstallTests: SKIPPED, pkg-config is missing (Debian: pkg-config)")
            return
        }
        let root = CPluginBuilder.repositoryRoot
        let prefix = try TemporaryDirectory(prefix: "install-prefix"), home = try TemporaryDirectory(prefix: "install-home")
        let work = try TemporaryDirectory(prefix: "install-work")
        let p = prefix.path
        let install = try ProcessRunner.run(root + "/scripts/install.sh", ["--prefix", p, "--build-dir", BuildProducts.directory])
        try #require(install.status == 0, "install.sh failed: \(install.stderr)")

        for file in ["bin/plugin-host", "lib/libplugin_host.so.1", "lib/plugin-host/plugin-host-worker", "lib/plugin-host/libswiftCore.so",
                     "lib/plugin-host/plugins/libph-math.so", "include/plugin_host/embed.h", "lib/pkgconfig/plugin-host.pc",
                     "share/plugin-host/template/plugin.c", "share/plugin-host/rust/plugin-host-sdk/src/lib.rs", "share/bash-completion/completions/plugin-host",
                     "share/zsh/site-functions/_plugin-host", "share/fish/vendor_completions.d/plugin-host.fish",
                     "share/man/man1/plugin-host.1", "share/plugin-host/install-manifest.txt"] {
            #expect(access(p + "/" + file, R_OK) == 0, "not installed: \(file)")
        }
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: p + "/lib/libplugin_host.so")) == "libplugin_host.so.1")

        // Nothing installed may point into the build tree; each binary finds the runtime beside it.
        for (binary, origin) in [("bin/plugin-host", "$ORIGIN/../lib/plugin-host"), ("lib/libplugin_host.so.1", "$ORIGIN/plugin-host"),
                                 ("lib/plugin-host/plugin-host-worker", "$ORIGIN")] {
            let dynamic = try ProcessRunner.run("readelf", ["-d", p + "/" + binary]).stdout
            let runpath = dynamic.split(separator: "\n").first { $0.contains("RUNPATH") }.map(String.init) ?? ""
            #expect(runpath.contains(origin), "\(binary): \(runpath)")
            #expect(!runpath.contains(root), "\(binary) RUNPATH names the build tree: \(runpath)")
            let ldd = try ProcessRunner.run("ldd", [p + "/" + binary]).stdout
            #expect(!ldd.contains("not found") && !ldd.contains(root), "\(binary): \(ldd)")
        }
        let exports = try ProcessRunner.run("nm", ["-D", "--defined-only", p + "/lib/libplugin_host.so.1"]).stdout
        let global = exports.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            guard fields.count == 3, fields[1] == "T" else { return nil }
            return String(fields[2].split(separator: "@").first ?? "")
        }
        let embedH = try String(contentsOfFile: root + "/sdk/include/plugin_host/embed.h", encoding: .utf8)
        let declared = Set(embedH.matches(of: /\b(ph_[a-z_]+)\(/).map { String($0.1) })
        #expect(Set(global) == declared, "libplugin_host.so exports exactly embed.h's functions (Sources/PluginEmbed/exports.map)")

        // The installed command finds its bundled plugins and the worker, from another directory.
        let scan = try Self.shell("plugin-host scan --json", prefix: p, home: home.path, in: work.path)
        #expect(scan.status == 0 && scan.stdout.contains(p + "/lib/plugin-host/plugins/libph-math.so"), "\(scan.stdout)\(scan.stderr)")
        let exec = try Self.shell(#"plugin-host exec math.add --params '{"a":1,"b":2}' --json"#, prefix: p, home: home.path, in: work.path)
        #expect(exec.status == 0 && exec.stdout.contains(/"result":\s*3\b/), "\(exec.stdout)\(exec.stderr)")
        let isolated = try Self.shell(#"plugin-host exec math.add --params '{"a":2,"b":2}' --isolation process --json"#,
                                      prefix: p, home: home.path, in: work.path)
        #expect(isolated.status == 0 && isolated.stdout.contains(/"result":\s*4\b/), "\(isolated.stdout)\(isolated.stderr)")

        // A plugin from the installed template and an embedder, built with pkg-config only. The .pc
        // file adds no rpath (a system prefix needs none); an embedder in another prefix adds it.
        let plugin = try Self.shell("""
            cc -std=c11 -shared -fPIC -fvisibility=hidden $(pkg-config --cflags plugin-host) "$PREFIX/share/plugin-host/template/plugin.c" \
                -o libexample.so && plugin-host scan --strict . && plugin-host exec example.scale --plugin-dir . --params '{"value":2,"factor":3}' --json
            """.replacingOccurrences(of: "$PREFIX", with: p), prefix: p, home: home.path, in: work.path)
        #expect(plugin.status == 0 && plugin.stdout.contains("6"), "\(plugin.stdout)\(plugin.stderr)")
        let embedder = try Self.shell("""
            cc -std=c11 \(root)/examples/embed/host_demo.c $(pkg-config --cflags --libs plugin-host) \
                -Wl,-rpath,$(pkg-config --variable=libdir plugin-host) -o host_demo && ./host_demo
            """, prefix: p, home: home.path, in: work.path)
        #expect(embedder.status == 0, "\(embedder.stdout)\(embedder.stderr)")

        // The installed Rust SDK, copied out as a user would: its tests find the installed headers
        // through pkg-config, and the example builds, passes the strict scan and runs.
        if RustSDKTests.cargoMissing {
            print("InstallTests: Rust part SKIPPED, cargo is not on PATH (Debian: apt-get install cargo)")
        } else {
            let rust = try Self.shell("""
                export CARGO_TARGET_DIR="$PWD/rust-target" && cp -R "$PREFIX/share/plugin-host/rust" rust && \
                (cd rust/plugin-host-sdk && cargo test --offline --test layout) && \
                (cd rust/examples/rust-math && cargo build --offline --release) && \
                mkdir -m 0755 rust-plugins && install -m 0644 rust-target/release/libph_rust_math.so rust-plugins/ && \
                plugin-host scan --strict rust-plugins && \
                plugin-host run rust/examples/rust-math/workflow.json --plugin-dir rust-plugins --json
                """.replacingOccurrences(of: "$PREFIX", with: p), prefix: p, home: home.path, in: work.path, withCargo: true)
            #expect(rust.status == 0 && rust.stdout.contains("HELLO, PLUGIN-HOST!"), "\(rust.stdout)\(rust.stderr)")
        }

        let uninstall = try ProcessRunner.run(root + "/scripts/uninstall.sh", ["--prefix", p])
        #expect(uninstall.status == 0, "\(uninstall.stderr)")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: p)) == [], "uninstall.sh left files behind")
        let again = try ProcessRunner.run(root + "/scripts/uninstall.sh", ["--prefix", p])
        #expect(again.status == 2 && again.stderr.contains("no plugin-host installation"))
    }

    @Test("install.sh and uninstall.sh refuse unknown arguments and a missing value with status 2")
    func badArguments() throws {
        let root = CPluginBuilder.repositoryRoot
        for (script, arguments) in [("install.sh", ["--bogus"]), ("install.sh", ["--prefix"]), ("uninstall.sh", ["--frobnicate"])] {
            let result = try ProcessRunner.run(root + "/scripts/" + script, arguments)
            #expect(result.status == 2 && result.stderr.contains(script), "\(script) \(arguments): \(result.stderr)")
        }
    }
}
