import Glibc

extension String {
    /// Whether two strings hold the same UTF-8 bytes.
    ///
    /// Swift's `==` treats canonically equivalent strings as equal (`é` precomposed and
    /// `e` + U+0301, the Kelvin sign and `K`); JSON, C plugins and tenant policies compare code
    /// points, so every such comparison in the host goes through here. Equal representations
    /// (a small string's inline bytes, or one shared buffer) answer at once; otherwise the
    /// contiguous UTF-8 storage is compared with `memcmp`, several times cheaper than iterating
    /// `utf8` byte by byte.
    @inline(__always)
    public static func sameUTF8(_ a: String, _ b: String) -> Bool {
        if MemoryLayout<String>.size == 16,
           unsafeBitCast(a, to: (UInt64, UInt64).self) == unsafeBitCast(b, to: (UInt64, UInt64).self) {
            return true
        }
        let count = a.utf8.count
        guard count == b.utf8.count else { return false }
        if count == 0 { return true }
        let same = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y in memcmp(x.baseAddress!, y.baseAddress!, count) == 0 }
        }
        return (same ?? nil) ?? a.utf8.elementsEqual(b.utf8)
    }
}
