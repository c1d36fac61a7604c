import Glibc
import PluginHostCore
import PluginMetadata
import Synchronization

/// Why the cache could not be written. Never fatal to a scan: the next scan is just cold.
public struct ScanCacheError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

extension ScanCache {
    /// Identifies the file format: the magic bytes, then a version bumped whenever the entry
    /// layout changes, so an old file (including the JSON of version 1) is ignored and
    /// rebuilt rather than misread.
    static let magic: [UInt8] = Array("PHSCACHE".utf8)
    static let formatVersion: UInt32 = 4
    /// A cache file larger than this is ignored (a sane one holds about 1 KiB per plugin).
    static let maximumFileSize = 64 << 20

    /// Loads the cache saved at `path`, or an empty cache when the file is missing, unreadable,
    /// corrupt (its checksum does not match), from another format version or host ABI, or
    /// unsafe (not a regular file owned by this user and writable only by them: another user
    /// could otherwise feed the host forged inspections). A bad cache is never an error, only a
    /// cold scan.
    ///
    /// Layout: magic, `UInt32` version, host ABI string, `UInt64` checksum of the rest, `UInt32`
    /// entry count, then the entries (``CacheCoding``). The file is read with one `pread` and
    /// decoded without parsing, so loading costs a small fraction of the warm scan it enables.
    public static func load(from path: String) -> ScanCache {
        guard let bytes = PrivateFile.readTrusted(path, maximumSize: maximumFileSize) else { return ScanCache(entries: [:], location: path) }
        let entries = bytes.withUnsafeBytes { buffer -> [String: Entry]? in
            var reader = CacheCoding.Reader(bytes: buffer)
            for byte in magic { guard reader.u8() == byte else { return nil } }
            guard reader.u32() == formatVersion, reader.string() == ABIVersion.host.description,
                  let checksum = reader.u64(),
                  CacheCoding.checksum(UnsafeRawBufferPointer(rebasing: buffer[reader.index...])) == checksum,
                  let count = reader.count() else { return nil }
            var entries: [String: Entry] = [:]
            entries.reserveCapacity(count)
            for _ in 0..<count {
                guard let (entryPath, entry) = CacheCoding.decodeEntry(&reader) else { return nil }
                entries[entryPath] = entry
            }
            return reader.atEnd ? entries : nil
        }
        return ScanCache(entries: entries ?? [:], location: path)
    }

    /// Writes the cache to `path` atomically (a temporary file with mode 0600, then `rename`),
    /// creating the parent directory (mode 0700) if needed. Skipped when nothing changed since
    /// this cache was loaded from or saved to the same path.
    public func save(to path: String) throws(ScanCacheError) {
        let (entries, needed) = state.withLock { state in
            (state.entries, state.isDirty || state.location != path)
        }
        guard needed else { return }
        let sorted = entries.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        var body = CacheCoding.Writer()
        body.u32(UInt32(sorted.count))
        for (entryPath, entry) in sorted { CacheCoding.encode(path: entryPath, entry: entry, into: &body) }
        var file = CacheCoding.Writer()
        file.bytes.reserveCapacity(body.bytes.count + 64)
        file.bytes.append(contentsOf: Self.magic)
        file.u32(Self.formatVersion)
        file.string(ABIVersion.host.description)
        file.u64(body.bytes.withUnsafeBytes { CacheCoding.checksum($0) })
        file.bytes.append(contentsOf: body.bytes)
        try Self.write(file.bytes, to: path)
        state.withLock { state in
            state.isDirty = false
            state.location = path
        }
    }

    /// Writes through ``PrivateFile``, reporting failures as this type's error.
    private static func write(_ bytes: [UInt8], to path: String) throws(ScanCacheError) {
        do throws(PrivateFileError) {
            try PrivateFile.writeAtomically(bytes, to: path)
        } catch {
            throw ScanCacheError(description: "cannot save the scan cache: \(error)")
        }
    }
}
