import PluginHostTestSupport
import Testing

/// One handle shared by many C threads.
@Suite("Embedding: one handle, many threads", .disabled(if: EmbedLibrary.skipReason != nil, "\(EmbedLibrary.skipReason ?? "")"))
struct ThreadTests {
    private static let program = Result { try CompiledProgram(name: "threaded_client", source: threadedClientSource) }

    @Test("8 pthreads × 500 executions on one handle: every result right, failures where expected")
    func eightThreads() throws {
        let result = try Self.program.get().run(["8", "500"])
        // 8 × 500 additions, plus 4 odd threads × 50 failing divisions.
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout == "ok 4200\n")
    }

    @Test("lazy loading races: the first calls of 16 threads on a fresh handle all succeed")
    func lazyLoadingRace() throws {
        let result = try Self.program.get().run(["16", "5", "lazy"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout == "ok 88\n")
    }

    @Test("destroying a handle while 8 threads execute on it: running calls finish, later ones are INVALID_ARGUMENT")
    func destroyRace() throws {
        let result = try Self.program.get().run(["8", "race"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout == "race ok\n")
    }
}
