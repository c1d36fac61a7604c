import Glibc
import PluginHostCore

/// A read-only, bounds-checked window on a plugin file: its first and last 4 KiB held in
/// memory (the whole file when it is at most 8 KiB), anything else fetched with a targeted
/// `pread` of exactly the bytes asked for.
///
/// Every offset and size in an ELF file is attacker-controlled, so every read goes through
/// ``bytes(at:count:_:)``, which checks the range against the real file size (with overflow
/// checks) before touching it. A small plugin is parsed entirely from the single first read; a
/// large library costs a handful of small reads, never a read of whole tables.
struct ELFFileBytes {
    /// How much of the file the first read fetches: one page, enough for the ELF header, the
    /// program headers, the notes and the dynamic symbol tables of a small plugin (linkers put
    /// them first).
    static let prefixSize = 4 * 1024
    /// How much of the end of the file the second read fetches: linkers put the section header
    /// table last. Reading a whole 16 KiB plugin instead cost twice as much in the kernel
    /// (copying and page lookups) as these two page reads. Reading up to the end also notices
    /// a file shorter than `fileSize` (being rewritten).
    static let suffixSize = 4 * 1024

    let fileDescriptor: Int32
    /// The file's size as `fstat` reported it; every range is checked against it.
    let fileSize: Int
    /// For problem messages only.
    let path: String
    /// The first `min(prefixSize, fileSize)` bytes of the file (all of it when it is at most
    /// `prefixSize + suffixSize` bytes).
    let prefix: [UInt8]
    /// The last `suffixSize` bytes of the file, from `suffixStart`; empty when `prefix` holds
    /// the whole file.
    let suffix: [UInt8]
    let suffixStart: Int

    /// Reads the prefix and the suffix. Throws FILE_UNREADABLE on an I/O error or when the file
    /// is shorter than `fileSize` (it is being rewritten).
    init(fileDescriptor: Int32, fileSize: Int, path: String) throws(Problem) {
        self.fileDescriptor = fileDescriptor
        self.fileSize = max(0, fileSize)
        self.path = path
        if self.fileSize <= Self.prefixSize + Self.suffixSize {
            self.prefix = try Self.read(fileDescriptor, offset: 0, count: self.fileSize, path: path, fileSize: self.fileSize)
            self.suffix = []
            self.suffixStart = self.fileSize
        } else {
            self.prefix = try Self.read(fileDescriptor, offset: 0, count: Self.prefixSize, path: path, fileSize: self.fileSize)
            self.suffixStart = self.fileSize - Self.suffixSize
            self.suffix = try Self.read(fileDescriptor, offset: suffixStart, count: Self.suffixSize, path: path,
                                        fileSize: self.fileSize)
        }
    }

    /// `count` bytes at `offset`, or ELF_MALFORMED naming `what` when the range does not lie
    /// inside the file. Served from the prefix when it can be, else read with `pread`.
    func bytes(at offset: Int, count: Int, _ what: @autoclosure () -> String) throws(Problem) -> ByteView {
        guard offset >= 0, count >= 0, offset <= fileSize, count <= fileSize - offset else {
            throw malformed("\(what()) at offset \(offset) (\(count) bytes) extends past the end of the \(fileSize)-byte file (truncated?)")
        }
        if offset + count <= prefix.count {
            return ByteView(storage: prefix, start: offset, count: count)
        }
        if offset >= suffixStart && !suffix.isEmpty {  // and offset + count <= fileSize, checked above
            return ByteView(storage: suffix, start: offset - suffixStart, count: count)
        }
        let storage = try Self.read(fileDescriptor, offset: offset, count: count, path: path, fileSize: fileSize)
        return ByteView(storage: storage, start: 0, count: count)
    }

    /// Converts a 64-bit offset or size read from the file to `Int`, or ELF_MALFORMED.
    func int(_ value: UInt64, _ what: @autoclosure () -> String) throws(Problem) -> Int {
        guard value <= UInt64(fileSize) else {
            throw malformed("\(what()) is \(value), past the end of the \(fileSize)-byte file (truncated?)")
        }
        return Int(value)
    }

    /// Checks that `size` bytes at `offset` (both read from the file) lie inside the file and
    /// returns them as `Int`s, or ELF_MALFORMED naming `what`.
    func range(offset: UInt64, size: UInt64, _ what: @autoclosure () -> String) throws(Problem) -> (offset: Int, size: Int) {
        let (end, overflow) = offset.addingReportingOverflow(size)
        guard !overflow, end <= UInt64(fileSize) else {
            throw malformed("\(what()) at offset \(offset) (\(size) bytes) extends past the end of the \(fileSize)-byte file (truncated?)")
        }
        return (Int(offset), Int(size))
    }

    /// `base + index * stride`, or ELF_MALFORMED when that overflows (a hostile count).
    func offset(_ base: Int, plus index: Int, times stride: Int, _ what: @autoclosure () -> String) throws(Problem) -> Int {
        let (product, overflow1) = index.multipliedReportingOverflow(by: stride)
        let (sum, overflow2) = base.addingReportingOverflow(product)
        guard !overflow1, !overflow2, index >= 0 else {
            throw malformed("\(what()) overflows a 64-bit offset (index \(index) × \(stride) from \(base))")
        }
        return sum
    }

    /// An ELF_MALFORMED problem for this file.
    func malformed(_ detail: String) -> Problem {
        Problem(.elfMalformed, .error,
                "malformed ELF file: \(detail); rebuild the plugin or reinstall an intact copy",
                file: path)
    }

    /// Reads exactly `count` bytes at `offset`, retrying on EINTR and short reads.
    /// The corresponding C function is `pread`.
    private static func read(_ fd: Int32, offset: Int, count: Int, path: String, fileSize: Int) throws(Problem) -> [UInt8] {
        var failure: Int32 = 0
        var got = 0
        let storage = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            while got < count {
                let n = pread(fd, buffer.baseAddress! + got, count - got, off_t(offset + got))
                if n > 0 {
                    got += n
                } else if n == 0 {
                    break
                } else if errno != EINTR {
                    failure = errno
                    break
                }
            }
            // Bytes never read are zero-filled so the array is fully initialized either way.
            if got < count { (buffer.baseAddress! + got).initialize(repeating: 0, count: count - got) }
            initialized = count
        }
        if failure != 0 {
            throw Problem(.fileUnreadable, .error,
                          "could not read the file: \(String(cString: strerror(failure))) (errno \(failure)); check the disk and the file's permissions",
                          file: path)
        }
        if got < count {
            throw Problem(.fileUnreadable, .error,
                          "the file ended at byte \(offset + got) while being read, though it was \(fileSize) bytes; it is probably being rewritten, scan again once it is complete",
                          file: path)
        }
        return storage
    }
}
