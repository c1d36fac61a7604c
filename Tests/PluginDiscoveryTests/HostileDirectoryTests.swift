import Foundation
@testable import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import Testing

/// A directory full of things that are not plugins: the scan must finish, report each matched
/// name exactly once with the right code, and never open what it should not.
@Suite("Hostile plugin directories")
struct HostileDirectoryTests {
    @Test("a non-ELF file named .so is rejected as NOT_ELF")
    func notELF() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("notes.so", "just some text, not a library\n")
        let report = scan(dir.path)
        #expect(report.plugins.count == 1)
        #expect(report.plugin(path)?.status == .rejected)
        #expect(report.plugin(path)?.codes.contains("NOT_ELF") == true)
    }

    @Test("a FIFO named x.so is NOT_REGULAR_FILE and the scan finishes without opening it")
    func fifo() throws {
        let dir = try TemporaryDirectory()
        let path = dir.url("x.so")
        #expect(mkfifo(path, 0o644) == 0)
        let report = scan(dir.path)
        let plugin = try #require(report.plugin(path))
        #expect(plugin.status == .rejected)
        #expect(plugin.codes == ["NOT_REGULAR_FILE"])
        #expect(plugin.problems[0].message == "\(path) is a FIFO, not a shared library; remove it from the plugin directory")
        #expect(report.filesOpened == 0)
    }

    @Test("a directory named x.so is NOT_REGULAR_FILE and is not entered")
    func directoryNamedLikeAPlugin() throws {
        let dir = try TemporaryDirectory()
        try Fixtures.install("x.so/inner.so", id: "org.test.inner", nodeTypes: ["test.inner"], in: dir)
        let report = scan(dir.path)
        #expect(report.plugins.map(\.path) == [dir.url("x.so")])
        #expect(report.plugins[0].codes == ["NOT_REGULAR_FILE"])
        #expect(report.plugins[0].problems[0].message.contains("is a directory, not a shared library"))
    }

    @Test("a symlink loop a.so -> b.so -> a.so rejects both names with SYMLINK_LOOP")
    func fileSymlinkLoop() throws {
        let dir = try TemporaryDirectory()
        #expect(symlink("b.so", dir.url("a.so")) == 0)
        #expect(symlink("a.so", dir.url("b.so")) == 0)
        let report = scan(dir.path)
        #expect(report.plugins.map(\.path) == [dir.url("a.so"), dir.url("b.so")])
        #expect(report.plugins.map(\.codes) == [["SYMLINK_LOOP"], ["SYMLINK_LOOP"]])
        #expect(report.plugins.allSatisfy { $0.status == .rejected && $0.identity == nil })
    }

    @Test("a directory symlink loop sub/back -> .. is a SYMLINK_LOOP warning and files are scanned once")
    func directorySymlinkLoop() throws {
        let dir = try TemporaryDirectory()
        let plugin = try Fixtures.install("sub/p.so", id: "org.test.loop", nodeTypes: ["test.loop"], in: dir)
        #expect(symlink("..", dir.url("sub/back")) == 0)
        let report = scan(dir.path, options: ScanOptions(maximumDepth: 10))
        #expect(report.plugins.map(\.path) == [plugin])
        #expect(report.plugins[0].status == .ok)
        #expect(report.problems.map(\.code.rawValue) == ["SYMLINK_LOOP"])
        #expect(report.problems[0].severity == .warning)
        #expect(report.problems[0].file == dir.url("sub/back"))
    }

    @Test("a dangling symlink named .so is FILE_UNREADABLE and says it dangles")
    func danglingSymlink() throws {
        let dir = try TemporaryDirectory()
        #expect(symlink("missing-target.so", dir.url("gone.so")) == 0)
        let report = scan(dir.path)
        let plugin = try #require(report.plugin(dir.url("gone.so")))
        #expect(plugin.codes == ["FILE_UNREADABLE"])
        #expect(plugin.problems[0].message.contains("dangling symbolic link"))
    }

    @Test("the same plugin reached by a symlink: the later path is DUPLICATE_FILE naming the first")
    func duplicateFile() throws {
        let dir = try TemporaryDirectory()
        let real = try Fixtures.install("alpha.so", id: "org.test.dup", nodeTypes: ["test.dup"], in: dir)
        #expect(symlink("alpha.so", dir.url("beta.so")) == 0)
        let report = scan(dir.path)
        #expect(report.plugins.map(\.status) == [.ok, .rejected])
        let duplicate = try #require(report.plugin(dir.url("beta.so")))
        #expect(duplicate.codes == ["DUPLICATE_FILE"])
        #expect(duplicate.problems[0].message.contains("same file as \(real)"))
        #expect(report.filesOpened == 1)
    }

    @Test("directories deeper than maximumDepth are not entered and are named in one DEPTH_LIMIT warning")
    func depthLimit() throws {
        let dir = try TemporaryDirectory()
        let shallow = try Fixtures.install("a/one.so", id: "org.test.one", nodeTypes: ["test.one"], in: dir)
        let deep = try Fixtures.install("a/b/two.so", id: "org.test.two", nodeTypes: ["test.two"], in: dir)
        let limited = scan(dir.path, options: ScanOptions(maximumDepth: 1))
        #expect(limited.plugins.map(\.path) == [shallow])
        #expect(limited.problems.map(\.code.rawValue) == ["DEPTH_LIMIT"])
        #expect(limited.problems[0].file == dir.url("a/b"))
        #expect(limited.problems[0].severity == .warning)
        let deeper = scan(dir.path, options: ScanOptions(maximumDepth: 2))
        #expect(deeper.plugins.map(\.path) == [deep, shallow])
        #expect(deeper.problems.isEmpty)
    }

    @Test("maximumDepth 0 scans only the directory itself")
    func depthZero() throws {
        let dir = try TemporaryDirectory()
        let top = try Fixtures.install("top.so", id: "org.test.top", nodeTypes: ["test.top"], in: dir)
        try Fixtures.install("sub/low.so", id: "org.test.low", nodeTypes: ["test.low"], in: dir)
        let report = scan(dir.path, options: ScanOptions(maximumDepth: 0))
        #expect(report.plugins.map(\.path) == [top])
        #expect(report.problems.map(\.code.rawValue) == ["DEPTH_LIMIT"])
    }

    @Test("a directory that does not exist is DIRECTORY_NOT_FOUND, an error")
    func missingDirectory() throws {
        let dir = try TemporaryDirectory()
        let missing = dir.url("nope")
        let report = scan(missing)
        #expect(report.plugins.isEmpty)
        #expect(report.problems.map(\.code.rawValue) == ["DIRECTORY_NOT_FOUND"])
        #expect(report.problems[0].severity == .error)
        #expect(report.problems[0].file == missing)
        #expect(!report.isClean)
    }

    @Test("a search path that is a file, not a directory, is DIRECTORY_NOT_FOUND saying so")
    func rootIsAFile() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("lib.so", "x")
        let report = scan(file)
        #expect(report.plugins.isEmpty)
        #expect(report.problems.map(\.code.rawValue) == ["DIRECTORY_NOT_FOUND"])
        #expect(report.problems[0].message.contains("is not a directory"))
    }

    @Test("an unreadable subdirectory is a DIRECTORY_UNREADABLE warning and the rest is scanned")
    func unreadableSubdirectory() throws {
        // Root lists a mode-000 directory anyway, so only a non-root run can see the warning.
        guard !runningAsRoot else { return }
        let dir = try TemporaryDirectory()
        let good = try Fixtures.install("ok.so", id: "org.test.sub", nodeTypes: ["test.sub"], in: dir)
        try dir.makeDirectory("closed", mode: 0o000)
        defer { chmod(dir.url("closed"), 0o755) }
        let report = scan(dir.path)
        #expect(report.plugins.map(\.path) == [good])
        #expect(report.problems.map(\.code.rawValue) == ["DIRECTORY_UNREADABLE"])
        #expect(report.problems[0].severity == .warning)
    }

    @Test("an unreadable file (chmod 000) is FILE_UNREADABLE")
    func unreadableFile() throws {
        let dir = try TemporaryDirectory()
        let path = try Fixtures.install("locked.so", id: "org.test.locked", nodeTypes: ["test.locked"], in: dir, mode: 0o000)
        let report = scan(dir.path)
        let plugin = try #require(report.plugin(path))
        // Root reads a mode-000 file anyway (no EACCES), so only a non-root run can see the error.
        if !runningAsRoot {
            #expect(plugin.codes == ["FILE_UNREADABLE"])
            #expect(plugin.problems[0].message.contains("permission denied"))
        } else {
            #expect(plugin.status == .ok)
        }
    }

    @Test("hidden entries are skipped, files and directories alike")
    func hiddenEntries() throws {
        let dir = try TemporaryDirectory()
        try dir.write(".secret.so", "not scanned")
        try Fixtures.install(".hidden/p.so", id: "org.test.hidden", nodeTypes: ["test.hidden"], in: dir)
        let report = scan(dir.path)
        #expect(report.plugins.isEmpty)
        #expect(report.problems.isEmpty)
    }

    @Test("entries are walked in byte order, depth first, so reports are deterministic")
    func deterministicOrder() throws {
        let dir = try TemporaryDirectory()
        for name in ["b.so", "B.so", "a/z.so", "c.so", "a.so"] { try dir.write(name, "x") }
        let report = scan(dir.path)
        #expect(report.plugins.map(\.path) == ["B.so", "a/z.so", "a.so", "b.so", "c.so"].map(dir.url))
    }

    @Test("every matched name in a hostile directory appears exactly once")
    func hostileDirectoryCensus() throws {
        let dir = try TemporaryDirectory()
        let good = try Fixtures.install("good.so", id: "org.test.good", nodeTypes: ["test.good"], in: dir)
        try dir.write("text.so", "hello")
        #expect(mkfifo(dir.url("pipe.so"), 0o644) == 0)
        #expect(symlink("loop2.so", dir.url("loop1.so")) == 0)
        #expect(symlink("loop1.so", dir.url("loop2.so")) == 0)
        #expect(symlink("nowhere.so", dir.url("dangling.so")) == 0)
        #expect(symlink("good.so", dir.url("link.so")) == 0)
        try dir.write("readme.txt", "not matched")
        let report = scan(dir.path)
        let expected = ["dangling.so", "good.so", "link.so", "loop1.so", "loop2.so", "pipe.so", "text.so"].map(dir.url)
        #expect(report.plugins.map(\.path) == expected)
        #expect(report.plugins.map { $0.codes.first ?? "" }
                == ["FILE_UNREADABLE", "", "DUPLICATE_FILE", "SYMLINK_LOOP", "SYMLINK_LOOP", "NOT_REGULAR_FILE", "NOT_ELF"])
        #expect(report.summary == ScanReport.Summary(files: 7, ok: 1, rejected: 6, warnings: 0))
        #expect(report.loadable.map(\.path) == [good])
    }

    @Test("patterns select file names with fnmatch globs")
    func patterns() throws {
        let dir = try TemporaryDirectory()
        for name in ["a.so", "b.plugin", "c.txt", "libx.so.1"] { try dir.write(name, "x") }
        #expect(scan(dir.path, patterns: ["*.plugin"]).plugins.map(\.path) == [dir.url("b.plugin")])
        #expect(scan(dir.path, patterns: ["*.plugin", "lib*.so.[0-9]"]).plugins.map(\.path)
                == [dir.url("b.plugin"), dir.url("libx.so.1")])
        #expect(scan(dir.path).plugins.map(\.path) == [dir.url("a.so")])
    }

    @Test("with followSymlinks off, a matched link is NOT_REGULAR_FILE and linked directories are not entered")
    func noFollow() throws {
        let dir = try TemporaryDirectory()
        let real = try Fixtures.install("real/p.so", id: "org.test.nf", nodeTypes: ["test.nf"], in: dir)
        #expect(symlink("real", dir.url("linked")) == 0)
        #expect(symlink("real/p.so", dir.url("q.so")) == 0)
        let report = scan(dir.path, options: ScanOptions(followSymlinks: false))
        #expect(report.plugins.map(\.path) == [dir.url("q.so"), real])
        #expect(report.plugin(dir.url("q.so"))?.codes == ["NOT_REGULAR_FILE"])
        #expect(report.problems.isEmpty)
    }
}
