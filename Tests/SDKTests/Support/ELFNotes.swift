import Foundation
import PluginHostTestSupport

/// Reads a plugin's metadata note with binutils' `readelf -n`, independently of the host's
/// own ELF reader, so these tests check the bytes the SDK macro really produced.
enum ELFNotes {
    /// The description bytes of the `plugin-host` note in `file`, as text; nil when absent.
    ///
    /// readelf prints an unknown note's bytes as hex after "description data:", on the owner's
    /// line or the next one depending on the binutils version and width.
    static func pluginHostMetadata(in file: String) throws -> String? {
        let output = try Toolchain.runChecked("readelf", ["-n", file]).stdout
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() where line.trimmingCharacters(in: .whitespaces).hasPrefix("plugin-host ") {
            let candidates = [line] + (index + 1 < lines.count ? [lines[index + 1]] : [])
            guard let dataLine = candidates.first(where: { $0.contains("description data:") }),
                  let range = dataLine.range(of: "description data:") else { continue }
            var bytes = dataLine[range.upperBound...].split(separator: " ").compactMap { UInt8($0, radix: 16) }
            guard bytes.last == 0 else { return nil }  // the macro stores the NUL too
            bytes.removeLast()
            return String(decoding: bytes, as: UTF8.self)
        }
        return nil
    }

    /// The dynamic symbols `file` defines, without the linker's own (`_end`, `__bss_start`, …).
    static func exportedSymbols(of file: String) throws -> [String] {
        let output = try Toolchain.runChecked("nm", ["-D", "--defined-only", file]).stdout
        let linkerSymbols: Set<String> = ["_end", "_edata", "__bss_start", "_init", "_fini"]
        return output.split(separator: "\n").compactMap { line in
            line.split(separator: " ").last.map(String.init)
        }.filter { !linkerSymbols.contains($0) }.sorted()
    }

    /// The NEEDED entries of `file`'s dynamic section (the shared libraries it loads).
    static func neededLibraries(of file: String) throws -> [String] {
        let output = try Toolchain.runChecked("readelf", ["-d", "-W", file]).stdout
        return output.split(separator: "\n").filter { $0.contains("(NEEDED)") }.compactMap { line in
            guard let open = line.firstIndex(of: "["), let close = line.lastIndex(of: "]") else { return nil }
            return String(line[line.index(after: open)..<close])
        }
    }
}
