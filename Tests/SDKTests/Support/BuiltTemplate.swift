import Foundation
import PluginHostTestSupport

/// `sdk/template` copied to a temporary directory and built there with its own Makefile, as
/// a third party would after copying it (`make PLUGIN_HOST_SDK=<sdk>`). Built once per run.
final class BuiltTemplate: Sendable {
    /// The directory holding the copy and the built library.
    let directory: String
    /// The built `libexample.so`.
    let library: String
    /// What `make` printed (the build line).
    let makeOutput: String
    private let temporary: TemporaryDirectory

    static let shared = Result { try BuiltTemplate() }

    private init() throws {
        temporary = try TemporaryDirectory(prefix: "sdk-template")
        directory = temporary.url("example")
        try Toolchain.runChecked("cp", ["-R", Toolchain.sdkDirectory + "/template", directory])
        // A stale library copied from the source tree must not pass for a fresh build.
        try? FileManager.default.removeItem(atPath: directory + "/libexample.so")
        makeOutput = try Toolchain.runChecked("make", ["-C", directory, "PLUGIN_HOST_SDK=\(Toolchain.sdkDirectory)"]).stdout
        library = directory + "/libexample.so"
    }
}
