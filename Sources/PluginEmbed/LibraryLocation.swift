#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where libplugin_host.so itself is on disk.
///
/// The default plugin directory of an embedded host is the library's own directory (as the
/// CLI's is its executable's): `swift build` puts the bundled `libph-*.so` plugins beside it, and
/// an installation ships them together. The process's executable (python3, node, …) says
/// nothing about where plugins are, so `/proc/self/exe` is not used.
enum LibraryLocation {
    /// The absolute path of the shared object containing this code: the file mapped at the
    /// address of this image's `#dsohandle`, read from `/proc/self/maps`. (`dladdr` would say
    /// the same, but Glibc's Swift module does not export it: it is a GNU extension.) Nil when
    /// the map cannot be read; the current directory then stands in.
    static let path: String? = {
        let address = UInt(bitPattern: #dsohandle)
        guard let maps = fopen("/proc/self/maps", "r") else { return nil }
        defer { fclose(maps) }
        var line = [CChar](repeating: 0, count: 4096 + Int(PATH_MAX))
        while fgets(&line, Int32(line.count), maps) != nil {
            let text = String(decoding: line.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let path = mappedPath(line: text, containing: address) { return path }
        }
        return nil
    }()

    /// The path in one `/proc/self/maps` line (`start-end perms offset dev inode   path`) when
    /// its range holds `address`.
    static func mappedPath(line: String, containing address: UInt) -> String? {
        let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
        guard fields.count == 6 else { return nil }
        let range = fields[0].split(separator: "-")
        guard range.count == 2, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16),
              start <= address, address < end else { return nil }
        let path = fields[5].drop { $0 == " " }
        return path.hasPrefix("/") ? String(path) : nil
    }
}
