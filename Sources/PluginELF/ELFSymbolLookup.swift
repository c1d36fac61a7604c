import PluginHostCore

/// Answers "does the dynamic symbol table define and export this function?" the way the dynamic
/// linker would find it: through `.gnu.hash` (bloom filter, bucket, chain), else the SysV
/// `.hash` (bucket, chain), else — only for a table with neither — a capped linear scan.
///
/// The hash paths read a few dozen bytes whatever the library's size, so a Swift library with
/// thousands of exports costs the same as a one-function plugin. Every index taken from the
/// file is checked against its table before use, and chain walks are capped, so a hostile hash
/// table can neither read outside the file nor loop.
struct ELFSymbolLookup {
    /// Longest hash chain followed; real chains hold a handful of symbols.
    static let maximumChainLength = 65_536
    /// Most symbols a linear scan reads (a table without any hash table is tiny or hostile).
    static let maximumLinearScan = 65_536

    let file: ELFFileBytes
    let table: ELFDynamicSymbols

    /// Whether a symbol named `name` is a defined, global or weak FUNC with default or protected
    /// visibility: what `dlsym` would return for a plugin's entry point.
    func exportsFunction(named name: String) throws(Problem) -> Bool {
        let target = Array(name.utf8) + [0]
        if let gnuHash = table.gnuHash { return try gnuLookup(target, in: gnuHash) }
        if let sysvHash = table.sysvHash { return try sysvLookup(target, in: sysvHash) }
        guard table.symbolCountIsExact else { return false }
        guard table.symbolLimit <= Self.maximumLinearScan else {
            throw file.malformed(".dynsym has \(table.symbolLimit) symbols and no hash table to look them up with")
        }
        for index in 1..<max(1, table.symbolLimit) {
            if try isExportedFunction(index, named: target) { return true }
        }
        return false
    }

    /// The GNU hash lookup: the bloom filter rules most absent names out with one 8-byte read.
    private func gnuLookup(_ target: [UInt8], in region: (offset: Int, size: Int)) throws(Problem) -> Bool {
        let header = try file.bytes(at: region.offset, count: min(16, region.size), ".gnu.hash header")
        guard header.count == 16 else { throw file.malformed(".gnu.hash is \(region.size) bytes, too small for its header") }
        let bucketCount = Int(header.u32(0)), symbolOffset = Int(header.u32(4))
        let bloomCount = Int(header.u32(8)), bloomShift = header.u32(12)
        guard bucketCount > 0 else { return false }  // an empty table: nothing is exported
        guard bloomCount > 0 else { throw file.malformed(".gnu.hash has an empty bloom filter") }
        let bloomStart = 16
        let bucketsStart = bloomStart + bloomCount * 8  // both counts < 2^32: no 64-bit overflow
        let chainsStart = bucketsStart + bucketCount * 4
        guard chainsStart <= region.size else {
            throw file.malformed(".gnu.hash declares \(bloomCount) bloom words and \(bucketCount) buckets, more than its \(region.size) bytes hold")
        }
        let hash = Self.gnuHash(target.dropLast())
        let bloomIndex = Int((hash / 64) % UInt32(bloomCount))
        let word = try file.bytes(at: region.offset + bloomStart + bloomIndex * 8, count: 8, ".gnu.hash bloom filter").u64(0)
        let mask = (1 as UInt64) << (hash % 64) | (1 as UInt64) << ((hash >> bloomShift) % 64)
        guard word & mask == mask else { return false }
        let bucketIndex = Int(hash % UInt32(bucketCount))
        var symbol = Int(try file.bytes(at: region.offset + bucketsStart + bucketIndex * 4, count: 4, ".gnu.hash bucket").u32(0))
        guard symbol != 0 else { return false }
        guard symbol >= symbolOffset else {
            throw file.malformed(".gnu.hash bucket points at symbol \(symbol), below its first hashed symbol \(symbolOffset)")
        }
        // Read the chain in small chunks: usually one read covers it.
        var chunk: ByteView?
        var chunkFirst = 0
        for _ in 0..<Self.maximumChainLength {
            let chainIndex = symbol - symbolOffset
            let chainOffset = chainsStart + chainIndex * 4
            guard chainOffset + 4 <= region.size else {
                throw file.malformed(".gnu.hash chain for symbol \(symbol) runs past the end of the table")
            }
            if chunk == nil || chainIndex - chunkFirst >= chunk!.count / 4 {
                chunkFirst = chainIndex
                chunk = try file.bytes(at: region.offset + chainOffset, count: min(256, region.size - chainOffset) & ~3,
                                       ".gnu.hash chain")
            }
            let chainHash = chunk!.u32((chainIndex - chunkFirst) * 4)
            if chainHash | 1 == hash | 1, try isExportedFunction(symbol, named: target) { return true }
            if chainHash & 1 == 1 { return false }
            symbol += 1
        }
        throw file.malformed(".gnu.hash chain longer than \(Self.maximumChainLength) symbols")
    }

    /// The SysV hash lookup: `nbucket`, `nchain`, buckets, then one chain link per symbol.
    private func sysvLookup(_ target: [UInt8], in region: (offset: Int, size: Int)) throws(Problem) -> Bool {
        let header = try file.bytes(at: region.offset, count: min(8, region.size), ".hash header")
        guard header.count == 8 else { throw file.malformed(".hash is \(region.size) bytes, too small for its header") }
        let bucketCount = Int(header.u32(0)), chainCount = Int(header.u32(4))
        guard bucketCount > 0 else { return false }
        guard 8 + (bucketCount + chainCount) * 4 <= region.size else {
            throw file.malformed(".hash declares \(bucketCount) buckets and \(chainCount) chain links, more than its \(region.size) bytes hold")
        }
        let hash = Self.sysvHash(target.dropLast())
        let bucketOffset = region.offset + 8 + Int(hash % UInt32(bucketCount)) * 4
        var symbol = Int(try file.bytes(at: bucketOffset, count: 4, ".hash bucket").u32(0))
        let chainsOffset = region.offset + 8 + bucketCount * 4
        for _ in 0..<min(chainCount + 1, Self.maximumChainLength) {
            guard symbol != 0 else { return false }
            guard symbol < chainCount else {
                throw file.malformed(".hash points at symbol \(symbol), past its \(chainCount) chain links")
            }
            if try isExportedFunction(symbol, named: target) { return true }
            symbol = Int(try file.bytes(at: chainsOffset + symbol * 4, count: 4, ".hash chain").u32(0))
        }
        throw file.malformed(".hash chain loops or is longer than \(min(chainCount, Self.maximumChainLength)) symbols")
    }

    /// Whether symbol `index` is named `target` (with its NUL) and is an exported, defined function.
    private func isExportedFunction(_ index: Int, named target: [UInt8]) throws(Problem) -> Bool {
        guard index < table.symbolLimit else {
            throw file.malformed("the hash table points at symbol \(index), past the \(table.symbolLimit) in the dynamic symbol table")
        }
        let symbol = try file.bytes(at: table.symbolsOffset + index * ELF.symbolSize, count: ELF.symbolSize,
                                    "dynamic symbol \(index)")
        let nameOffset = Int(symbol.u32(0))
        guard nameOffset < table.stringsSize else {
            throw file.malformed("dynamic symbol \(index) names string \(nameOffset), past the \(table.stringsSize)-byte string table")
        }
        guard target.count <= table.stringsSize - nameOffset else { return false }
        let name = try file.bytes(at: table.stringsOffset + nameOffset, count: target.count, "a dynamic symbol name")
        guard name.matches(target, at: 0) else { return false }
        let info = symbol.u8(4), visibility = symbol.u8(5) & 0x3, sectionIndex = symbol.u16(6)
        let binding = info >> 4, type = info & 0xF
        return (binding == ELF.bindGlobal || binding == ELF.bindWeak)
            && type == ELF.typeFunction
            && (visibility == ELF.visibilityDefault || visibility == ELF.visibilityProtected)
            && sectionIndex != ELF.undefinedSection
    }

    /// The GNU hash function (djb2: h = h * 33 + c).
    static func gnuHash(_ name: some Sequence<UInt8>) -> UInt32 {
        var hash: UInt32 = 5381
        for byte in name { hash = hash &* 33 &+ UInt32(byte) }
        return hash
    }

    /// The System V ABI hash function.
    static func sysvHash(_ name: some Sequence<UInt8>) -> UInt32 {
        var hash: UInt32 = 0
        for byte in name {
            hash = (hash << 4) &+ UInt32(byte)
            let high = hash & 0xF000_0000
            if high != 0 { hash ^= high >> 24 }
            hash &= ~high
        }
        return hash
    }
}
