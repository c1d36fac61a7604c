import Glibc
import PluginELF
import PluginHostCore
import PluginHostTestSupport
import Testing

/// `inspect(path:)` on paths that are not plain readable files.
@Suite("ELFReader.inspect(path:) on special paths")
struct ELFReaderPathTests {
    @Test("a FIFO named x.so is NOT_REGULAR_FILE, and inspecting it does not block")
    func fifo() throws {
        let directory = try TemporaryDirectory()
        let path = directory.url("x.so")
        try #require(mkfifo(path, 0o600) == 0)
        let problem = Fixtures.problem(ELFReader.inspect(path: path))
        #expect(problem?.code == .notRegularFile)
        #expect(problem?.file == path)
    }

    @Test("a directory named x.so is NOT_REGULAR_FILE")
    func directory() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.makeDirectory("x.so")
        #expect(Fixtures.problem(ELFReader.inspect(path: path))?.code == .notRegularFile)
    }

    @Test("a character device is NOT_REGULAR_FILE")
    func characterDevice() {
        #expect(Fixtures.problem(ELFReader.inspect(path: "/dev/null"))?.code == .notRegularFile)
    }

    @Test("a missing file is FILE_UNREADABLE")
    func missing() throws {
        let directory = try TemporaryDirectory()
        let path = directory.url("missing.so")
        let problem = Fixtures.problem(ELFReader.inspect(path: path))
        #expect(problem?.code == .fileUnreadable)
        #expect(problem?.file == path)
    }

    @Test("a dangling symbolic link is FILE_UNREADABLE")
    func danglingSymlink() throws {
        let directory = try TemporaryDirectory()
        let path = directory.url("dangling.so")
        try #require(symlink(directory.url("nowhere.so"), path) == 0)
        #expect(Fixtures.problem(ELFReader.inspect(path: path))?.code == .fileUnreadable)
    }

    @Test("a file without read permission is FILE_UNREADABLE", .enabled(if: geteuid() != 0, "root reads any file"))
    func unreadable() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("locked.so", try Fixtures.echoPlugin().bytes, mode: 0o000)
        #expect(Fixtures.problem(ELFReader.inspect(path: path))?.code == .fileUnreadable)
    }

    @Test("a symbolic link to a plugin is inspected as the plugin")
    func symlinkToPlugin() throws {
        let plugin = try Fixtures.echoPlugin()
        let directory = try TemporaryDirectory()
        let path = directory.url("link.so")
        try #require(symlink(plugin.path, path) == 0)
        #expect(try ELFReader.inspect(path: path).get() == ELFReader.inspect(path: plugin.path).get())
    }

    @Test("a file shorter than the size the caller passed (rewritten meanwhile) is FILE_UNREADABLE")
    func fileShrank() throws {
        let plugin = try Fixtures.echoPlugin()
        let fd = open(plugin.path, O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0)
        defer { close(fd) }
        let problem = Fixtures.problem(ELFReader.inspect(fileDescriptor: fd, fileSize: plugin.bytes.count + 100, path: plugin.path))
        #expect(problem?.code == .fileUnreadable)
        #expect(problem?.file == plugin.path)
    }
}
