import Foundation
@testable import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import Testing

/// A plugin reached through a symbolic link is only as safe as where the link leads: the target's
/// directory and every directory above it are checked (a root-owned sticky directory such as
/// /tmp is accepted above the target's own directory).
@Suite("Permissions along a symbolic link's target")
struct SymlinkTargetPermissionTests {
    /// A scan root holding `libp.so` → a plugin in `target/` (another temporary directory).
    private func linkedPlugin(_ id: String) throws -> (root: TemporaryDirectory, target: TemporaryDirectory, link: String) {
        let root = try TemporaryDirectory(prefix: "link-root"), target = try TemporaryDirectory(prefix: "link-target")
        let real = try Fixtures.install("libreal.so", id: id, nodeTypes: ["\(id).node"], in: target)
        let link = root.url("libp.so")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        return (root, target, link)
    }

    @Test("a symlinked plugin whose target directory is world-writable is UNSAFE_PERMISSIONS naming that directory")
    func worldWritableTargetDirectory() throws {
        let (root, target, link) = try linkedPlugin("org.test.linkww")
        chmod(target.path, 0o777)
        let plugin = try #require(scan(root.path).plugin(link))
        #expect(plugin.status == .rejected)
        #expect(plugin.codes == ["UNSAFE_PERMISSIONS"])
        #expect(plugin.problems.first?.message.hasPrefix("\(target.path) is group- and world-writable (mode 0777)") == true)
        #expect(plugin.problems.first?.file == link)
    }

    @Test("with allowUnsafePermissions the world-writable target directory is only a warning")
    func worldWritableTargetDirectoryAllowed() throws {
        let (root, target, link) = try linkedPlugin("org.test.linkallow")
        chmod(target.path, 0o777)
        let plugin = try #require(scan(root.path, options: ScanOptions(allowUnsafePermissions: true)).plugin(link))
        #expect(plugin.status == .ok)
        #expect(plugin.codes == ["UNSAFE_PERMISSIONS"])
        #expect(plugin.problems.first?.severity == .warning)
    }

    @Test("a world-writable directory above the target (not sticky) is UNSAFE_PERMISSIONS")
    func worldWritableAncestor() throws {
        let root = try TemporaryDirectory(prefix: "link-root"), outer = try TemporaryDirectory(prefix: "link-outer")
        let real = try Fixtures.install("inner/libreal.so", id: "org.test.linkup", nodeTypes: ["test.linkup"], in: outer)
        chmod(outer.path, 0o777)
        let link = root.url("libp.so")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        let plugin = try #require(scan(root.path).plugin(link))
        #expect(plugin.codes == ["UNSAFE_PERMISSIONS"])
        #expect(plugin.problems.first?.message.hasPrefix("\(outer.path) is group- and world-writable") == true)
    }

    @Test("the same directory layout without the link is ok: ancestors of a plain scan root are not checked")
    func plainPathUnchecked() throws {
        let outer = try TemporaryDirectory(prefix: "plain-outer")
        let real = try Fixtures.install("inner/libreal.so", id: "org.test.plain", nodeTypes: ["test.plain"], in: outer)
        chmod(outer.path, 0o777)
        #expect(scan(outer.url("inner")).plugin(real)?.status == .ok)
    }

    @Test("a symlinked plugin in safe directories under the sticky /tmp is ok")
    func safeTarget() throws {
        let (root, target, link) = try linkedPlugin("org.test.linkok")
        defer { withExtendedLifetime(target) {} }
        let plugin = try #require(scan(root.path).plugin(link))
        #expect(plugin.status == .ok, "\(plugin.problems)")
    }

    @Test("a scan root reached through a symlink checks the directories above its target")
    func symlinkedRoot() throws {
        let holder = try TemporaryDirectory(prefix: "link-holder"), outer = try TemporaryDirectory(prefix: "link-outer")
        _ = try Fixtures.install("plugins/libp.so", id: "org.test.linkroot", nodeTypes: ["test.linkroot"], in: outer)
        chmod(outer.path, 0o777)
        let rootLink = holder.url("plugins")
        try FileManager.default.createSymbolicLink(atPath: rootLink, withDestinationPath: outer.url("plugins"))
        let plugin = try #require(scan(rootLink).plugin(rootLink + "/libp.so"))
        #expect(plugin.codes == ["UNSAFE_PERMISSIONS"])
        #expect(plugin.problems.first?.message.hasPrefix("\(outer.path) is group- and world-writable") == true)
    }
}
