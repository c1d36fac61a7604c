import Foundation
import PluginHostCore
import PluginHostTestSupport
import Testing

/// `plugin-host tenant …` against a real SQLite file, as an operator scripts it.
@Suite("CLI: tenant")
struct TenantCLITests {
    @Test("add prints the key alone on the last line, list never shows it, rotate-key replaces it, remove forgets the tenant")
    func lifecycle() throws {
        let directory = try TemporaryDirectory(prefix: "tenant-cli")
        let database = ["--database", "sqlite:" + directory.path + "/state.sqlite"]
        let added = try CLI.run(["tenant", "add", "acme"] + database)
        #expect(added.status == 0, "\(added.stderr)")
        let key = try #require(added.stdout.split(separator: "\n").last.map(String.init))
        #expect(key.hasPrefix("phk_") && key.count == 68)
        let json = try CLI.json(["tenant", "add", "globex", "--json"] + database)
        #expect(json.value["tenantId"] == "globex" && json.value["apiKey"]?.stringValue?.hasPrefix("phk_") == true)
        let again = try CLI.run(["tenant", "add", "acme"] + database)
        #expect(again.status == 1 && again.stderr.contains("TENANT_EXISTS"))
        let listed = try CLI.run(["tenant", "list"] + database)
        #expect(listed.stdout.split(separator: "\n").map { $0.split(separator: "\t").first.map(String.init) } == ["acme", "globex"])
        #expect(!listed.stdout.contains("phk_"))
        let rotated = try CLI.json(["tenant", "rotate-key", "acme", "--json"] + database)
        #expect(rotated.value["apiKey"]?.stringValue != key)
        #expect(try CLI.run(["tenant", "remove", "acme"] + database).status == 0)
        let gone = try CLI.run(["tenant", "remove", "acme"] + database)
        #expect(gone.status == 1 && gone.stderr.contains("NOT_FOUND"))
        let mode = try FileManager.default.attributesOfItem(atPath: directory.path + "/state.sqlite")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test("the default database is under XDG_STATE_HOME; an unknown scheme or an unreachable file is exit 2 with a sentence")
    func locations() throws {
        let directory = try TemporaryDirectory(prefix: "tenant-cli-default")
        let added = try CLI.run(["tenant", "add", "acme"], environment: ["XDG_STATE_HOME": directory.path])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory.path + "/plugin-host/plugin-host.sqlite"))
        let scheme = try CLI.run(["tenant", "list", "--database", "mysql://x/y"])
        #expect(scheme.status == 2 && scheme.stderr.contains("INVALID_ARGUMENT"))
        let blocker = try directory.write("file", "x")
        let unreachable = try CLI.run(["tenant", "list", "--database", "sqlite:" + blocker + "/db.sqlite"])
        #expect(unreachable.status == 2 && unreachable.stderr.contains("STORE_UNAVAILABLE"), "\(unreachable.stderr)")
    }
}
