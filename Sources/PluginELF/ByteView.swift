/// A range of bytes from the file, in host byte order (the reader only accepts files whose
/// byte order is the host's). Callers check their indices against ``count`` first; the
/// preconditions here only catch a bug in this module, never a hostile file.
struct ByteView {
    let storage: [UInt8]
    let start: Int
    let count: Int

    @inline(__always) func u8(_ at: Int) -> UInt8 {
        precondition(at >= 0 && at < count)
        return storage[start + at]
    }

    @inline(__always) func u16(_ at: Int) -> UInt16 { load(at, as: UInt16.self) }
    @inline(__always) func u32(_ at: Int) -> UInt32 { load(at, as: UInt32.self) }
    @inline(__always) func u64(_ at: Int) -> UInt64 { load(at, as: UInt64.self) }

    @inline(__always) private func load<T: FixedWidthInteger>(_ at: Int, as type: T.Type) -> T {
        precondition(at >= 0 && at <= count - MemoryLayout<T>.size)
        return storage.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: start + at, as: T.self) }
    }

    /// Whether the bytes at `at` equal `expected` (false when they would run past the end).
    func matches(_ expected: [UInt8], at: Int) -> Bool {
        guard at >= 0, expected.count <= count - at else { return false }
        for (i, byte) in expected.enumerated() where storage[start + at + i] != byte { return false }
        return true
    }

    /// A copy of the bytes, for the caller to keep.
    var array: [UInt8] { Array(storage[start..<(start + count)]) }
}
