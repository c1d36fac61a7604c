import Foundation
import PluginHostTestSupport
import Testing

/// Runs the Python binding's pytest suite (sdk/python/tests) against the built library, so
/// `swift test` — the README's test command, and CI's — covers the binding too.
@Suite("Embedding: the Python binding")
struct PythonBindingTests {
    @Test("python3 -m pytest sdk/python/tests passes against the built libplugin_host.so",
          .disabled(if: EmbedLibrary.skipReason != nil, "\(EmbedLibrary.skipReason ?? "")"))
    func pytestSuite() throws {
        let root = CPluginBuilder.repositoryRoot
        let probe = try ProcessRunner.run("/bin/sh", ["-c", "command -v python3 >/dev/null 2>&1 && python3 -c 'import pytest'"])
        guard probe.status == 0 else {
            Issue.record("""
                The Python binding's tests need python3 with pytest: install them (Debian: \
                apt-get install python3 python3-pytest; or: python3 -m pip install pytest). \
                \(probe.stderr)
                """)
            return
        }
        let environment = EmbedLibrary.environment([
            "PLUGIN_HOST_LIBRARY": EmbedLibrary.path,
            "PYTHONDONTWRITEBYTECODE": "1",
        ])
        let result = try ProcessRunner.run(
            "python3", ["-m", "pytest", "-q", "-p", "no:cacheprovider", "sdk/python/tests"],
            environment: environment, currentDirectory: root)
        // 0: all passed. 5 (no tests collected) is a failure too: the suite must exist and run.
        #expect(result.status == 0, "pytest exited \(result.status):\n\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains(" passed"), "\(result.stdout)")
    }
}
