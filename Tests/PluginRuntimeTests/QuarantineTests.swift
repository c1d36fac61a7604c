import Foundation
import Glibc
import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import PluginRuntime
import Testing

@Suite("Quarantine: remembered by file identity, persisted atomically")
struct QuarantineTests {
    static let identity = FileIdentity(device: 7, inode: 4242, size: 16_384, modificationTimeNanoseconds: 1_700_000_000_123_456_789, mode: 0o100644, owner: 1000)
    static let timeout = Problem(.initTimeout, .error, "org.q's init did not return within 5 s", file: "/plugins/org.q.so")
    static let failed = Problem(.initFailed, .error, "init failed: no password (status 2); fix what it names", file: "/plugins/org.q.so")

    @Test("a quarantined, unchanged file is QUARANTINED with the original reason and how to retry")
    func reasonNamesOriginal() {
        let quarantine = Quarantine()
        let plugin = manifestOnly("org.q", version: "2.1.0", identity: Self.identity)
        #expect(quarantine.reason(for: plugin, configuration: [:]) == nil)

        quarantine.quarantine(plugin, because: Self.timeout, configuration: [:])

        let reason = quarantine.reason(for: plugin, configuration: [:])
        #expect(reason?.code == .quarantined)
        #expect(reason?.file == "/plugins/org.q.so")
        #expect(reason?.message == "org.q 2.1.0 is quarantined since an earlier run: INIT_TIMEOUT: org.q's init did not return within 5 s — it is quarantined until the file changes: rebuild or replace it, or restart the program (its quarantine is kept in memory, and a plugin's init runs again only once every host handle of the process is destroyed) to try it again")
        #expect(quarantine.entries.map(\.pluginID) == ["org.q"])
        #expect(quarantine.entries.first?.problem.code == .initTimeout)
    }

    static let changes: [(label: String, identity: FileIdentity)] = {
        var size = identity, mtime = identity, inode = identity, device = identity
        size.size += 1
        mtime.modificationTimeNanoseconds += 1
        inode.inode += 1
        device.device += 1
        return [("size", size), ("mtime", mtime), ("inode", inode), ("device", device)]
    }()

    @Test("a changed file (size, mtime, inode or device) is no longer quarantined, and the entry is forgotten", arguments: changes)
    func changedFileIsReleased(_ change: (label: String, identity: FileIdentity)) {
        let quarantine = Quarantine()
        quarantine.quarantine(manifestOnly("org.q", identity: Self.identity), because: Self.timeout, configuration: [:])

        #expect(quarantine.reason(for: manifestOnly("org.q", identity: change.identity), configuration: [:]) == nil)
        #expect(quarantine.entries.isEmpty)
    }

    @Test("a permission change alone does not lift the quarantine")
    func modeIsNotAChange() {
        let quarantine = Quarantine()
        quarantine.quarantine(manifestOnly("org.q", identity: Self.identity), because: Self.timeout, configuration: [:])
        var chmodded = Self.identity
        chmodded.mode = 0o100600
        #expect(quarantine.reason(for: manifestOnly("org.q", identity: chmodded), configuration: [:])?.code == .quarantined)
    }

    @Test("an INIT_FAILED entry holds for its configuration only; another configuration forgets it")
    func initFailedKeyedByConfiguration() {
        let quarantine = Quarantine()
        let plugin = manifestOnly("org.q", identity: Self.identity)
        let reported = quarantine.quarantine(plugin, because: Self.failed, configuration: ["password": "wrong"])

        #expect(reported.message.hasSuffix("— it is quarantined with this configuration: change the plugin's configuration (its --plugin-config entry) to have init tried again, or fix what init needs and restart the program (its quarantine is kept in memory, and a plugin's init runs again only once every host handle of the process is destroyed)"))
        #expect(quarantine.reason(for: plugin, configuration: ["password": "wrong"])?.code == .quarantined)
        #expect(quarantine.reason(for: plugin, configuration: ["password": "right"]) == nil)
        #expect(quarantine.entries.isEmpty)
    }

    @Test("clear lifts entries by plugin id or by path and says what it cleared; clearAll empties the quarantine")
    func clearing() {
        let quarantine = Quarantine()
        quarantine.quarantine(manifestOnly("org.q", identity: Self.identity), because: Self.timeout, configuration: [:])
        quarantine.quarantine(manifestOnly("org.r", identity: Self.identity), because: Self.failed, configuration: [:])

        #expect(quarantine.clear("org.nothing").isEmpty)
        #expect(quarantine.clear("org.q").map(\.pluginID) == ["org.q"])
        #expect(quarantine.clear("/plugins/org.r.so").map(\.pluginID) == ["org.r"])
        #expect(quarantine.entries.isEmpty)

        quarantine.quarantine(manifestOnly("org.q", identity: Self.identity), because: Self.timeout, configuration: [:])
        #expect(quarantine.clearAll().map(\.pluginID) == ["org.q"])
        #expect(quarantine.entries.isEmpty)
    }

    @Test("saved and loaded back, entries survive; the message names the command that clears; the file is 0600")
    func roundTrip() throws {
        let directory = try TemporaryDirectory(prefix: "quarantine-test")
        let file = directory.path + "/cache/plugin-host/quarantine.json"
        let quarantine = Quarantine()
        let plugin = manifestOnly("org.q", version: "2.1.0", identity: Self.identity)
        quarantine.quarantine(plugin, because: Self.timeout, configuration: [:])
        let failing = manifestOnly("org.f", identity: Self.identity)
        var failed = Self.failed
        failed.file = failing.path
        quarantine.quarantine(failing, because: failed, configuration: ["password": "wrong"])

        try quarantine.save(to: file)

        var status = stat()
        #expect(stat(file, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)
        let loaded = Quarantine.load(from: file)
        #expect(loaded.entries == quarantine.entries)
        #expect(loaded.entries.map(\.configurationDigest) == [Quarantine.configurationDigest(["password": "wrong"]), nil])
        #expect(loaded.reason(for: plugin, configuration: [:])?.message.hasSuffix("rebuild or replace it, or run `plugin-host quarantine clear org.q` to try it again") == true)
    }

    @Test("a corrupt quarantine file is ignored: nothing is quarantined")
    func corruptFileIgnored() throws {
        let directory = try TemporaryDirectory(prefix: "quarantine-test")
        let file = try directory.write("quarantine.json", "{\"format\":\"plugin-host-quarantine\",\"version\":1,\"entries\":[{\"path\":", mode: 0o600)
        #expect(Quarantine.load(from: file).entries.isEmpty)
    }

    @Test("an entry that does not decode is dropped; the others load")
    func badEntryDropped() throws {
        let directory = try TemporaryDirectory(prefix: "quarantine-test")
        let file = directory.path + "/quarantine.json"
        let quarantine = Quarantine()
        quarantine.quarantine(manifestOnly("org.q", identity: Self.identity), because: Self.timeout, configuration: [:])
        try quarantine.save(to: file)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let tampered = text.replacingOccurrences(of: "\"entries\":[", with: "\"entries\":[{\"path\":\"relative\"},")
        try directory.write("quarantine.json", tampered, mode: 0o600)

        #expect(Quarantine.load(from: file).entries.map(\.pluginID) == ["org.q"])
    }

    @Test("a quarantine file writable by others is not trusted")
    func untrustedFileIgnored() throws {
        let directory = try TemporaryDirectory(prefix: "quarantine-test")
        let file = directory.path + "/quarantine.json"
        let quarantine = Quarantine()
        quarantine.quarantine(manifestOnly("org.q", identity: Self.identity), because: Self.timeout, configuration: [:])
        try quarantine.save(to: file)
        #expect(chmod(file, 0o666) == 0)

        #expect(Quarantine.load(from: file).entries.isEmpty)
    }

    @Test("the default location is beside the scan cache")
    func defaultLocation() {
        #expect(Quarantine.defaultLocation(environment: ["XDG_CACHE_HOME": "/x/cache", "HOME": "/home/u"]) == "/x/cache/plugin-host/quarantine.json")
        #expect(Quarantine.defaultLocation(environment: ["XDG_CACHE_HOME": "relative", "HOME": "/home/u"]) == "/home/u/.cache/plugin-host/quarantine.json")
        #expect(Quarantine.defaultLocation(environment: [:]) == nil)
    }
}
