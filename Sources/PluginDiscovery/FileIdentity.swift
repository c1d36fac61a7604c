import Glibc

/// What `stat` says about a file: enough to tell whether it is the same, unchanged file.
///
/// `(device, inode)` names a file independently of the path that reached it (duplicate and
/// loop detection); adding `size` and the nanosecond `mtime` tells whether its contents may have
/// changed (the scan cache's validity rule, as GStreamer's registry uses). `mode` and `owner`
/// feed the permission checks, which are always made from a fresh `stat`.
public struct FileIdentity: Sendable, Hashable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    /// Modification time in nanoseconds since the epoch.
    public var modificationTimeNanoseconds: Int64
    /// Status-change time (`st_ctim`) in nanoseconds since the epoch; 0 when unknown. Unlike
    /// the mtime, no unprivileged call can set it back, so a file rewritten in place with the
    /// same size and a restored mtime still differs here.
    public var changeTimeNanoseconds: Int64
    /// The full `st_mode` (file type and permission bits).
    public var mode: UInt32
    /// The owner's user id.
    public var owner: UInt32

    public init(
        device: UInt64, inode: UInt64, size: Int64, modificationTimeNanoseconds: Int64, mode: UInt32, owner: UInt32,
        changeTimeNanoseconds: Int64 = 0
    ) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modificationTimeNanoseconds = modificationTimeNanoseconds
        self.changeTimeNanoseconds = changeTimeNanoseconds
        self.mode = mode
        self.owner = owner
    }

    /// The part of the identity that changes when the file's contents may have changed:
    /// device, inode, size, mtime and ctime. Equal stamps mean "the same, unchanged file" — the
    /// rule the scan cache, the quarantine and a worker's re-check share. (The ctime also moves
    /// on a chmod or chown: such a file is re-inspected, which is cheap, rather than trusted.)
    public var contentStamp: ContentStamp { ContentStamp(self) }

    /// The identity of the file `status` describes.
    public init(_ status: stat) {
        self.init(
            device: UInt64(status.st_dev), inode: UInt64(status.st_ino), size: Int64(status.st_size),
            modificationTimeNanoseconds: Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec),
            mode: UInt32(status.st_mode), owner: UInt32(status.st_uid),
            changeTimeNanoseconds: Int64(status.st_ctim.tv_sec) * 1_000_000_000 + Int64(status.st_ctim.tv_nsec))
    }

    /// The identity of the file at `path` now (following symbolic links), nil when it cannot
    /// be stat'ed. For callers that checked a file themselves rather than through a scan.
    public init?(atPath path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        self.init(status)
    }

    var fileKey: FileKey { FileKey(device: device, inode: inode) }

    /// Whether `other` is the same directory (device and inode) with the same mode and owner:
    /// what a permission check decided on is unchanged. A directory's size and times move with
    /// every entry added or removed, so they are not compared.
    public func hasSameAccess(as other: FileIdentity) -> Bool {
        device == other.device && inode == other.inode && mode == other.mode && owner == other.owner
    }
}

/// A file's `(device, inode)`: the same file whatever path reached it.
struct FileKey: Hashable, Sendable {
    var device: UInt64
    var inode: UInt64

}
