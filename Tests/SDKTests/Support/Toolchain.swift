import Foundation
import PluginHostTestSupport

/// The C toolchain the SDK tests drive: which compilers exist, and running them.
///
/// The SDK promises a plugin needs nothing but a C compiler, so these tests call compilers
/// and binutils directly. `cc` must exist; other compilers are tested when installed.
enum Toolchain {
    /// True when `tool` is found on PATH.
    static func has(_ tool: String) -> Bool {
        (try? ProcessRunner.run("/bin/sh", ["-c", "command -v \"$0\" >/dev/null 2>&1", tool]).status) == 0
    }

    /// Runs `tool` and returns its result, throwing only when it cannot be started.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], in directory: String? = nil) throws -> ProcessRunner.Result {
        try ProcessRunner.run(tool, arguments, currentDirectory: directory)
    }

    /// Runs `tool` and throws with its stderr when it exits non-zero.
    @discardableResult
    static func runChecked(_ tool: String, _ arguments: [String], in directory: String? = nil) throws -> ProcessRunner.Result {
        let result = try run(tool, arguments, in: directory)
        guard result.status == 0 else {
            throw TestSupportError("\(tool) \(arguments.joined(separator: " ")) exited \(result.status):\n\(result.stderr)\(result.stdout)")
        }
        return result
    }

    /// The SDK's include directory in this checkout.
    static var sdkInclude: String { CPluginBuilder.sdkIncludeDirectory }

    /// The SDK directory (`sdk/`) in this checkout.
    static var sdkDirectory: String { CPluginBuilder.repositoryRoot + "/sdk" }
}
