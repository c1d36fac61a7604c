import Foundation
import PluginHostTestSupport

/// A C test program compiled once per test run with `cc` and shared by the tests that use it.
///
/// Compiling is the slow part, so each program is built lazily, once; the directory lives as
/// long as the process (the `TemporaryDirectory` is held by the program).
final class CProgram: Sendable {
    let executable: String
    private let directory: TemporaryDirectory

    /// Compiles `source` as C11 with warnings as errors, linking `libraries` (e.g. `["-ldl"]`).
    init(name: String, source: String, libraries: [String] = []) throws {
        directory = try TemporaryDirectory(prefix: "sdk-\(name)")
        let sourcePath = try directory.write("\(name).c", source)
        executable = directory.url(name)
        try Toolchain.runChecked("cc", ["-std=c11", "-Wall", "-Wextra", "-pedantic", "-Werror", "-O1",
                                         "-I", Toolchain.sdkInclude, sourcePath, "-o", executable] + libraries)
    }

    /// Runs the program with `arguments` and returns stdout; throws when it exits non-zero.
    func run(_ arguments: String...) throws -> String {
        try Toolchain.runChecked(executable, arguments).stdout
    }

    /// Runs the program with `arguments` and returns the whole result, whatever the exit status.
    func result(_ arguments: [String]) throws -> ProcessRunner.Result {
        try Toolchain.run(executable, arguments)
    }
}
