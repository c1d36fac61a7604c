import PluginIsolation
import Testing

/// The worker is found in the build folder's layout (beside plugin-host / libplugin_host.so) and
/// in the installed one (PREFIX/lib/plugin-host/, see scripts/install.sh).
@Suite("Worker executable search")
struct WorkerExecutableTests {
    @Test("from PREFIX/bin/plugin-host the installed worker directory ../lib/plugin-host is searched after bin")
    func fromExecutable() {
        #expect(WorkerExecutable.candidateDirectories(executable: "/opt/ph/bin/plugin-host", image: nil)
            == ["/opt/ph/bin", "/opt/ph/bin/../lib/plugin-host"])
    }

    @Test("from PREFIX/lib/libplugin_host.so.1 the directory plugin-host/ beside it is searched; duplicates once")
    func fromLibrary() {
        #expect(WorkerExecutable.candidateDirectories(executable: "/usr/bin/python3", image: "/opt/ph/lib/libplugin_host.so.1")
            == ["/usr/bin", "/usr/bin/../lib/plugin-host", "/opt/ph/lib", "/opt/ph/lib/plugin-host"])
        #expect(WorkerExecutable.candidateDirectories(executable: "/b/plugin-host", image: "/b/plugin-host")
            == ["/b", "/b/../lib/plugin-host", "/b/plugin-host"])
        #expect(WorkerExecutable.candidateDirectories(executable: nil, image: "relative.so") == [])
    }
}
