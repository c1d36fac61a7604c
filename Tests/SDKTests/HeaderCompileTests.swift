import Foundation
import PluginHostTestSupport
import Testing

/// The SDK headers compile cleanly, with the strictest common warnings as errors, in both
/// languages a plugin author is likely to use, with each compiler that is installed; and the
/// metadata macro produces the same note whichever compiler and language built it.
@Suite("SDK headers compile as C11 and C++17")
struct HeaderCompileTests {
    /// Compiles the probe with `compiler` as `standard` into a shared library and returns the
    /// metadata found in its note plus its exported symbols.
    private func compileProbe(
        _ compiler: String, _ standard: String, language: String, extraFlags: [String] = []
    ) throws -> (metadata: String?, symbols: [String]) {
        let directory = try TemporaryDirectory(prefix: "sdk-headers")
        let source = try directory.write(language == "c" ? "probe.c" : "probe.cpp", headerProbeSource)
        let output = directory.url("libprobe.so")
        try Toolchain.runChecked(compiler, [
            "-std=\(standard)", "-Wall", "-Wextra", "-pedantic", "-Werror", "-O2",
            "-shared", "-fPIC", "-fvisibility=hidden", "-I", Toolchain.sdkInclude, source, "-o", output,
        ] + extraFlags)
        return (try ELFNotes.pluginHostMetadata(in: output), try ELFNotes.exportedSymbols(of: output))
    }

    private func expectCleanProbe(_ compiler: String, _ standard: String, language: String) throws {
        let probe = try compileProbe(compiler, standard, language: language)
        #expect(probe.metadata == headerProbeMetadata)
        #expect(probe.symbols == ["ph_plugin_entry"])
    }

    @Test("cc compiles every header as C11 with -Wall -Wextra -pedantic -Werror")
    func ccC11() throws {
        try expectCleanProbe("cc", "c11", language: "c")
    }

    @Test("g++ compiles every header as C++17", .enabled(if: Toolchain.has("g++")))
    func gxxCxx17() throws {
        try expectCleanProbe("g++", "c++17", language: "c++")
    }

    @Test("clang compiles every header as C11", .enabled(if: Toolchain.has("clang")))
    func clangC11() throws {
        try expectCleanProbe("clang", "c11", language: "c")
    }

    @Test("clang++ compiles every header as C++17", .enabled(if: Toolchain.has("clang++")))
    func clangxxCxx17() throws {
        try expectCleanProbe("clang++", "c++17", language: "c++")
    }

    @Test("clang's AddressSanitizer leaves the metadata note intact (no redzone inside it)",
          .enabled(if: Toolchain.has("clang")))
    func clangAddressSanitizerKeepsNote() throws {
        let probe = try compileProbe("clang", "c11", language: "c", extraFlags: ["-fsanitize=address"])
        #expect(probe.metadata == headerProbeMetadata)
    }

    @Test("a header error is reported, not ignored (the probe is really compiled)")
    func brokenProbeFails() throws {
        let directory = try TemporaryDirectory(prefix: "sdk-headers")
        let source = try directory.write("broken.c", headerProbeSource + "\nstatic int unused_variable_warning(void) { int x; return 0; }\n")
        let result = try Toolchain.run("cc", ["-std=c11", "-Wall", "-Wextra", "-pedantic", "-Werror", "-c",
                                              "-I", Toolchain.sdkInclude, source, "-o", directory.url("broken.o")])
        #expect(result.status != 0)
        #expect(result.stderr.contains("unused"))
    }
}
