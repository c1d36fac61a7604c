import Foundation
@testable import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import Testing

/// StrictModes: the file and every directory from the scan root down must be writable only by
/// their owner, and owned by root or the user running the host.
@Suite("Plugin file permissions")
struct PermissionTests {
    @Test("a world-writable plugin file is UNSAFE_PERMISSIONS with the chmod that fixes it")
    func worldWritableFile() throws {
        let dir = try TemporaryDirectory()
        let path = try Fixtures.install("p.so", id: "org.test.ww", nodeTypes: ["test.ww"], in: dir, mode: 0o646)
        let plugin = try #require(scan(dir.path).plugin(path))
        #expect(plugin.status == .rejected)
        #expect(plugin.codes == ["UNSAFE_PERMISSIONS"])
        #expect(plugin.problems[0].message
                == "\(path) is world-writable (mode 0646); run chmod o-w \(path) or pass --allow-unsafe-permissions")
    }

    @Test("a group-writable directory below the root makes its plugins UNSAFE_PERMISSIONS naming the directory")
    func groupWritableDirectory() throws {
        let dir = try TemporaryDirectory()
        let path = try Fixtures.install("shared/p.so", id: "org.test.gw", nodeTypes: ["test.gw"], in: dir)
        chmod(dir.url("shared"), 0o775)
        let plugin = try #require(scan(dir.path).plugin(path))
        #expect(plugin.codes == ["UNSAFE_PERMISSIONS"])
        #expect(plugin.problems[0].message.hasPrefix("\(dir.url("shared")) is group-writable (mode 0775); run chmod g-w"))
        #expect(plugin.problems[0].file == path)
    }

    @Test("the scan root itself is checked")
    func scanRootChecked() throws {
        let dir = try TemporaryDirectory()
        let path = try Fixtures.install("p.so", id: "org.test.root", nodeTypes: ["test.root"], in: dir)
        chmod(dir.path, 0o777)
        let plugin = try #require(scan(dir.path).plugin(path))
        #expect(plugin.codes == ["UNSAFE_PERMISSIONS"])
        #expect(plugin.problems[0].message.hasPrefix("\(dir.path) is group- and world-writable (mode 0777); run chmod go-w"))
    }

    @Test("allowUnsafePermissions turns UNSAFE_PERMISSIONS into a warning and the plugin is ok")
    func allowUnsafe() throws {
        let dir = try TemporaryDirectory()
        let path = try Fixtures.install("p.so", id: "org.test.allow", nodeTypes: ["test.allow"], in: dir, mode: 0o666)
        let report = scan(dir.path, options: ScanOptions(allowUnsafePermissions: true))
        let plugin = try #require(report.plugin(path))
        #expect(plugin.status == .ok)
        #expect(plugin.codes == ["UNSAFE_PERMISSIONS"])
        #expect(plugin.problems[0].severity == .warning)
        #expect(report.summary.warnings == 1)
    }

    @Test("a file owned by another non-root user is UNSAFE_PERMISSIONS")
    func foreignOwner() throws {
        // Only root can give a file away; as another user this cannot be set up.
        guard runningAsRoot else { return }
        let dir = try TemporaryDirectory()
        let path = try Fixtures.install("p.so", id: "org.test.owner", nodeTypes: ["test.owner"], in: dir)
        #expect(chown(path, 4242, 4242) == 0)
        let plugin = try #require(scan(dir.path).plugin(path))
        #expect(plugin.codes == ["UNSAFE_PERMISSIONS"])
        #expect(plugin.problems[0].message.contains("is owned by uid 4242, neither root nor the user running the host"))
    }

    @Test("a safe tree (0644 files, 0755 directories) has no permission problems")
    func safeTree() throws {
        let dir = try TemporaryDirectory()
        let path = try Fixtures.install("a/b/p.so", id: "org.test.safe", nodeTypes: ["test.safe"], in: dir)
        let plugin = try #require(scan(dir.path).plugin(path))
        #expect(plugin.status == .ok)
        #expect(!plugin.codes.contains("UNSAFE_PERMISSIONS"))
    }
}
