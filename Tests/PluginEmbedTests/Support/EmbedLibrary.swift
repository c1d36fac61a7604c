import Foundation
import PluginHostTestSupport

/// The built libplugin_host.so and how to compile and run C programs against it, as a user
/// would: plain `cc`, `sdk/include`, `-lplugin_host` with an rpath to the build directory.
enum EmbedLibrary {
    static var directory: String { BuildProducts.directory }
    static var path: String { directory + "/libplugin_host.so" }

    /// Why the C and Python tests cannot run here, or nil when they can. A sanitizer
    /// build's library needs the sanitizer's runtime, which a plain program (or python3) does not have.
    static let skipReason: String? = {
        if BuildProducts.pluginsAreSanitized { return "sanitizer build: libplugin_host.so needs the sanitizer runtime" }
        return nil
    }()

    /// Compiles `sources` (C11, warnings as errors) into `directory/name`, linked to the library.
    static func compile(_ sources: [String], name: String, in directory: TemporaryDirectory, extraFlags: [String] = []) throws -> String {
        let output = directory.url(name)
        let arguments = ["-std=c11", "-Wall", "-Wextra", "-pedantic", "-Werror", "-O1",
                         "-I", CPluginBuilder.sdkIncludeDirectory] + sources + [
                            "-o", output, "-L", Self.directory, "-lplugin_host", "-Wl,-rpath," + Self.directory,
                            "-lpthread"] + extraFlags
        let result = try ProcessRunner.run(CPluginBuilder.compiler, arguments)
        guard result.status == 0 else {
            throw TestSupportError("cc failed for \(name) (\(result.status)):\n\(result.stderr)")
        }
        return output
    }

    /// The environment for programs under test: this process's, without PLUGIN_HOST_PATH (so
    /// the default plugin directory is the library's), plus `extra`.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "PLUGIN_HOST_PATH")
        for (key, value) in extra { environment[key] = value }
        return environment
    }
}

/// A C program compiled once per test run and shared by the tests that use it.
final class CompiledProgram: Sendable {
    let executable: String
    /// Holds the temporary directory (and so the executable) for the life of the process.
    private let directory: TemporaryDirectory

    init(name: String, source: String) throws {
        directory = try TemporaryDirectory(prefix: "embed-\(name)")
        let sourcePath = try directory.write("\(name).c", source)
        executable = try EmbedLibrary.compile([sourcePath], name: name, in: directory)
    }

    init(name: String, sourceFile: String) throws {
        directory = try TemporaryDirectory(prefix: "embed-\(name)")
        executable = try EmbedLibrary.compile([sourceFile], name: name, in: directory)
    }

    func run(_ arguments: [String], environment: [String: String] = EmbedLibrary.environment()) throws -> ProcessRunner.Result {
        try ProcessRunner.run(executable, arguments, environment: environment)
    }
}
