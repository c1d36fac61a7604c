import Foundation
@testable import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import PluginMetadata
import Testing

/// The scan cache: an unchanged file is only stat'ed; any change to it (or to its sidecar)
/// means it is read again; permissions are always judged afresh.
@Suite("Scan cache")
struct ScanCacheTests {
    /// A directory with two valid plugins and one bad file.
    private func populated() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        try Fixtures.install("a.so", id: "org.test.ca", nodeTypes: ["test.ca"], in: dir)
        try Fixtures.install("sub/b.so", id: "org.test.cb", nodeTypes: ["test.cb"], in: dir)
        try dir.write("bad.so", "not a library")
        return dir
    }

    @Test("a second scan of an unchanged tree is all cache hits and opens no file")
    func warmScanOpensNothing() throws {
        let dir = try populated()
        let cache = ScanCache()
        let cold = scan(dir.path, cache: cache)
        #expect(cold.cacheMisses == 3 && cold.cacheHits == 0 && cold.filesOpened == 3)
        let warm = scan(dir.path, cache: cache)
        #expect(warm.cacheHits == warm.summary.files)
        #expect(warm.cacheMisses == 0)
        #expect(warm.filesOpened == 0)
        #expect(warm.plugins.map(\.status) == cold.plugins.map(\.status))
        #expect(warm.plugins.map { $0.manifest?.id } == cold.plugins.map { $0.manifest?.id })
    }

    @Test("a warm scan does not even try to open: an unreadable unchanged file stays as cached")
    func warmScanSurvivesUnreadableFile() throws {
        // Root ignores mode 000, so this proof only works as another user; the filesOpened
        // counter in the test above proves the same for root.
        guard !runningAsRoot else { return }
        let dir = try TemporaryDirectory()
        let path = try Fixtures.install("a.so", id: "org.test.noopen", nodeTypes: ["test.noopen"], in: dir)
        let cache = ScanCache()
        #expect(scan(dir.path, cache: cache).plugin(path)?.status == .ok)
        chmod(path, 0o000)
        let warm = scan(dir.path, cache: cache)
        #expect(warm.plugin(path)?.status == .ok)
        #expect(warm.cacheHits == 1)
    }

    @Test("a touched file (new mtime) is read again")
    func touchedFileIsReread() throws {
        let dir = try populated()
        let cache = ScanCache()
        _ = scan(dir.path, cache: cache)
        var times = [timespec(tv_sec: 1_000_000_000, tv_nsec: 5), timespec(tv_sec: 1_000_000_000, tv_nsec: 5)]
        #expect(utimensat(AT_FDCWD, dir.url("a.so"), &times, 0) == 0)
        let warm = scan(dir.path, cache: cache)
        #expect(warm.cacheMisses == 1)
        #expect(warm.cacheHits == 2)
        #expect(warm.filesOpened == 1)
    }

    @Test("a file rewritten in place with the same size and its mtime set back is read again (the ctime moved)")
    func swappedInPlaceIsReread() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("cfun.plugin.json", StandaloneManifestTests.manifest(id: "org.test.aaa"))
        let cache = ScanCache()
        #expect(scan(dir.path, cache: cache).plugin(path)?.manifest?.id == "org.test.aaa")
        var before = stat()
        #expect(stat(path, &before) == 0)
        usleep(20_000)  // a later ctime, whatever the file system's clock granularity
        // Same length, other contents, the old mtime restored: only the ctime tells.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.write(contentsOf: Data(StandaloneManifestTests.manifest(id: "org.test.bbb").utf8))
        try handle.close()
        var times = [before.st_atim, before.st_mtim]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        var after = stat()
        #expect(stat(path, &after) == 0)
        #expect(after.st_size == before.st_size && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec)
        let warm = scan(dir.path, cache: cache)
        #expect(warm.plugin(path)?.manifest?.id == "org.test.bbb", "the cache served the old file's metadata")
        #expect(warm.cacheMisses == 1)
    }

    @Test("a cached rejection stays rejected without reading the file again")
    func cachedRejection() throws {
        let dir = try populated()
        let cache = ScanCache()
        _ = scan(dir.path, cache: cache)
        let warm = scan(dir.path, cache: cache)
        let bad = try #require(warm.plugin(dir.url("bad.so")))
        #expect(bad.status == .rejected)
        #expect(bad.codes.contains("NOT_ELF"))
        #expect(warm.filesOpened == 0)
    }

    @Test("permissions are re-checked on a cache hit: chmod o+w of its directory after caching is UNSAFE_PERMISSIONS")
    func permissionsRecheckedOnHit() throws {
        let dir = try populated()
        let cache = ScanCache()
        let path = dir.url("sub/b.so")
        #expect(scan(dir.path, cache: cache).plugin(path)?.status == .ok)
        chmod(dir.url("sub"), 0o757)
        let warm = scan(dir.path, cache: cache)
        #expect(warm.cacheHits == 3)
        #expect(warm.plugin(path)?.status == .rejected)
        #expect(warm.plugin(path)?.codes == ["UNSAFE_PERMISSIONS"])
    }

    @Test("a chmod of the file itself moves its ctime: it is read again, and judged unsafe")
    func chmodOfFileIsAMiss() throws {
        let dir = try populated()
        let cache = ScanCache()
        let path = dir.url("a.so")
        #expect(scan(dir.path, cache: cache).plugin(path)?.status == .ok)
        chmod(path, 0o646)
        let warm = scan(dir.path, cache: cache)
        #expect(warm.cacheHits == 2)
        #expect(warm.plugin(path)?.codes == ["UNSAFE_PERMISSIONS"])
    }

    @Test("changing the validation mode is a cache miss")
    func modeIsPartOfTheKey() throws {
        let dir = try populated()
        let cache = ScanCache()
        _ = scan(dir.path, options: ScanOptions(mode: .strict), cache: cache)
        let loose = scan(dir.path, options: ScanOptions(mode: .loose), cache: cache)
        #expect(loose.cacheHits == 0)
        #expect(loose.cacheMisses == 3)
    }

    @Test("a sidecar appearing or changing invalidates the entry")
    func sidecarIsPartOfTheKey() throws {
        // Needs an inspector that reads `<file>.plugin.json` when the ELF file has no metadata
        // note; the library is a real cc-built .so without PH_PLUGIN_METADATA.
        let dir = try TemporaryDirectory()
        let path = try dir.write("s.so", try Fixtures.libraryWithoutNote())
        let cache = ScanCache()
        #expect(scan(dir.path, cache: cache).cacheMisses == 1)
        try dir.write("s.so.plugin.json", CPluginBuilder.validMetadata(id: "org.test.side", nodeTypes: ["test.side"]))
        let withSidecar = scan(dir.path, cache: cache)
        #expect(withSidecar.cacheMisses == 1)
        #expect(withSidecar.plugin(path)?.manifest?.id == "org.test.side")
        #expect(scan(dir.path, cache: cache).cacheHits == 1)
        try dir.write("s.so.plugin.json", CPluginBuilder.validMetadata(id: "org.test.side2", nodeTypes: ["test.side"]) + " ")
        let changed = scan(dir.path, cache: cache)
        #expect(changed.cacheMisses == 1)
        #expect(changed.plugin(path)?.manifest?.id == "org.test.side2")
    }

    @Test("entries for files that vanished from a scanned directory are dropped")
    func vanishedFilesPruned() throws {
        let dir = try populated()
        let other = try TemporaryDirectory()
        try Fixtures.install("o.so", id: "org.test.other", nodeTypes: ["test.other"], in: other)
        let cache = ScanCache()
        _ = scan(dir.path, cache: cache)
        _ = scan(other.path, cache: cache)
        #expect(cache.count == 4)
        unlink(dir.url("bad.so"))
        _ = scan(dir.path, cache: cache)
        #expect(cache.count == 3)  // the other directory's entry is kept
    }

    @Test("a saved cache loads back and makes a fresh process's scan warm, with the same manifests")
    func persistence() throws {
        let dir = try populated()
        let store = try TemporaryDirectory()
        let file = store.url("nested/scan-cache.json")
        let first = ScanCache()
        let cold = scan(dir.path, cache: first)
        try first.save(to: file)
        var status = stat()
        #expect(stat(file, &status) == 0 && status.st_mode & 0o777 == 0o600)
        let loaded = ScanCache.load(from: file)
        #expect(loaded.count == 3)
        let warm = scan(dir.path, cache: loaded)
        #expect(warm.cacheHits == 3 && warm.filesOpened == 0)
        #expect(warm.plugins.map(\.manifest) == cold.plugins.map(\.manifest))
        #expect(warm.plugins.map(\.problems) == cold.plugins.map(\.problems))
        #expect(warm.plugins.map(\.inspection.rawMetadata) == cold.plugins.map(\.inspection.rawMetadata))
    }

    @Test("a corrupt cache file is ignored and rebuilt")
    func corruptCacheIgnored() throws {
        let dir = try populated()
        let store = try TemporaryDirectory()
        let file = try store.write("scan-cache.json", "{\"format\":\"plugin-host-scan-cache\",\"version\":1,\"entr", mode: 0o600)
        let cache = ScanCache.load(from: file)
        #expect(cache.count == 0)
        let report = scan(dir.path, cache: cache)
        #expect(report.cacheMisses == 3)
        #expect(report.summary.ok == 2)
        try cache.save(to: file)
        #expect(ScanCache.load(from: file).count == 3)
    }

    @Test("a cache file writable by others is not trusted")
    func unsafeCacheFileIgnored() throws {
        let dir = try populated()
        let store = try TemporaryDirectory()
        let file = store.url("scan-cache.json")
        let cache = ScanCache()
        _ = scan(dir.path, cache: cache)
        try cache.save(to: file)
        chmod(file, 0o666)
        #expect(ScanCache.load(from: file).count == 0)
    }

    @Test("the default location follows XDG_CACHE_HOME, then HOME")
    func defaultLocation() {
        #expect(ScanCache.defaultLocation(environment: ["XDG_CACHE_HOME": "/x/cache", "HOME": "/home/u"])
                == "/x/cache/plugin-host/scan-cache.json")
        #expect(ScanCache.defaultLocation(environment: ["XDG_CACHE_HOME": "relative", "HOME": "/home/u"])
                == "/home/u/.cache/plugin-host/scan-cache.json")
        #expect(ScanCache.defaultLocation(environment: [:]) == nil)
    }
}
