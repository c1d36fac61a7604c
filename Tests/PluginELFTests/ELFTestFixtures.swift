import Foundation
import PluginELF
import PluginHostCore
import PluginHostTestSupport

/// A plugin compiled once per test run, whose bytes the hostile-file tests patch.
struct BuiltPlugin: Sendable {
    let directory: TemporaryDirectory
    let path: String
    let bytes: [UInt8]
}

/// Plugins shared by the tests: compiling one costs tens of milliseconds, patching it nothing.
enum Fixtures {
    /// The echo plugin's metadata JSON, exactly as embedded.
    static let metadata = CPluginBuilder.validMetadata(id: "org.test.echo", nodeTypes: ["test.echo"])

    private static let echo: Result<BuiltPlugin, any Error> = Result {
        let directory = try TemporaryDirectory(prefix: "elf-fixture")
        let path = try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(metadata: metadata),
                                            name: "libecho.so", in: directory)
        return BuiltPlugin(directory: directory, path: path, bytes: try readBytes(path))
    }

    /// The echo plugin, built with `$CC` (or cc) by CPluginBuilder.
    static func echoPlugin() throws -> BuiltPlugin { try echo.get() }

    /// The host's e_machine.
    static var hostMachine: UInt16 {
        #if arch(x86_64)
        return 62
        #else
        return 183
        #endif
    }

    /// An e_machine that is not the host's.
    static var foreignMachine: UInt16 { hostMachine == 62 ? 183 : 62 }

    /// Whether `clang` runs here.
    static let clangAvailable: Bool = (try? ProcessRunner.run("clang", ["--version"]).status) == 0

    static func readBytes(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TestSupportError("could not read \(path)")
        }
        return [UInt8](data)
    }

    /// The failure of an inspection, or nil when it succeeded.
    static func problem(_ result: Result<ELFInspection, Problem>) -> Problem? {
        if case .failure(let problem) = result { return problem }
        return nil
    }

    /// Writes `bytes` to a fresh directory as `name` and inspects it by path.
    static func inspect(_ bytes: [UInt8], name: String = "libpatched.so") throws -> (path: String, result: Result<ELFInspection, Problem>, directory: TemporaryDirectory) {
        let directory = try TemporaryDirectory(prefix: "elf-hostile")
        let path = try directory.write(name, bytes)
        return (path, ELFReader.inspect(path: path), directory)
    }
}

/// Little-endian reads and writes into an ELF image, and the few lookups the tests need to
/// find what to patch. Only used on files the tests built themselves.
struct ELFImage {
    var bytes: [UInt8]

    func u16(_ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
    func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * $1) } }
    func u64(_ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(bytes[at + $1]) << (8 * $1) } }
    mutating func set16(_ at: Int, _ value: UInt16) { for i in 0..<2 { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) } }
    mutating func set32(_ at: Int, _ value: UInt32) { for i in 0..<4 { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) } }
    mutating func set64(_ at: Int, _ value: UInt64) { for i in 0..<8 { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) } }

    var sectionHeaderOffset: Int { Int(u64(40)) }
    var sectionCount: Int { Int(u16(60)) }

    /// File offset of section header `index`.
    func sectionHeader(_ index: Int) -> Int { sectionHeaderOffset + index * 64 }

    /// Index of the first section of type `type`.
    func firstSection(ofType type: UInt32) -> Int? {
        (0..<sectionCount).first { u32(sectionHeader($0) + 4) == type }
    }

    /// File offset of the first occurrence of `pattern`.
    func offset(of pattern: [UInt8]) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        return (0...(bytes.count - pattern.count)).first { Array(bytes[$0..<($0 + pattern.count)]) == pattern }
    }

    /// `st_info` and `st_shndx` of the dynamic symbol `name`, found by a plain scan of `.dynsym`.
    func dynamicSymbol(named name: String) -> (info: UInt8, sectionIndex: UInt16)? {
        guard let dynsym = firstSection(ofType: 11) else { return nil }
        let header = sectionHeader(dynsym)
        let start = Int(u64(header + 24)), count = Int(u64(header + 32)) / 24
        let strings = Int(u64(sectionHeader(Int(u32(header + 40))) + 24))
        let target = Array(name.utf8) + [0]
        for index in 0..<count {
            let symbol = start + index * 24
            let nameStart = strings + Int(u32(symbol))
            if Array(bytes[nameStart..<(nameStart + target.count)]) == target {
                return (bytes[symbol + 4], u16(symbol + 6))
            }
        }
        return nil
    }

    var programHeaderOffset: Int { Int(u64(32)) }
    var programHeaderCount: Int { Int(u16(56)) }

    /// File offsets of the program headers of type `type`, in table order.
    func programHeaders(ofType type: UInt32) -> [Int] {
        (0..<programHeaderCount).map { programHeaderOffset + $0 * 56 }.filter { u32($0) == type }
    }

    /// File offset of the first dynamic entry with tag `tag` (its d_val is 8 bytes further).
    func dynamicEntry(_ tag: UInt64) -> Int? {
        guard let dynamic = programHeaders(ofType: 2).first else { return nil }
        let start = Int(u64(dynamic + 8)), count = Int(u64(dynamic + 32)) / 16
        return (0..<count).map { start + $0 * 16 }.first { u64($0) == tag }
    }

    /// File offset of the plugin-host note's header (namesz, descsz, type).
    var metadataNoteHeader: Int? { offset(of: Array("plugin-host".utf8) + [0]).map { $0 - 12 } }
}
