import PluginHostCore
import PluginMetadata

/// Turns cache entries into a compact binary record and back, field by field.
///
/// The cache file is an internal format, read on every CLI run before a warm scan: as JSON it
/// cost a full parse of each plugin's manifest and metadata (about 15 µs a plugin, five times
/// the warm scan it serves). This layout is read with bounds-checked loads and no parsing:
/// integers are little-endian, strings and byte runs are a `UInt32` length then the bytes,
/// optionals a presence byte, JSON values (node schemas) a tag byte then their payload. The
/// file carries a format version and a checksum (see ``ScanCache/load(from:)``), so a file
/// from another version, or one damaged in any way, is ignored as a whole rather than misread.
enum CacheCoding {
    /// Deepest JSON value accepted back (the parser's own limit, so nothing valid is lost).
    static let maximumDepth = JSONParser.maximumDepth

    // MARK: Writing

    struct Writer {
        var bytes: [UInt8] = []

        mutating func u8(_ value: UInt8) { bytes.append(value) }
        mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }
        mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        mutating func i64(_ value: Int64) { u64(UInt64(bitPattern: value)) }
        mutating func raw(_ value: [UInt8]) {
            u32(UInt32(value.count))
            bytes.append(contentsOf: value)
        }
        mutating func string(_ value: String) {
            var copy = value
            copy.withUTF8 { utf8 in
                u32(UInt32(utf8.count))
                bytes.append(contentsOf: utf8)
            }
        }
        mutating func optionalString(_ value: String?) {
            bool(value != nil)
            if let value { string(value) }
        }
        mutating func strings(_ values: [String]) {
            u32(UInt32(values.count))
            for value in values { string(value) }
        }
    }

    static func encode(path: String, entry: ScanCache.Entry, into out: inout Writer) {
        out.string(path)
        encode(entry.file, into: &out)
        out.bool(entry.sidecar != nil)
        if let sidecar = entry.sidecar { encode(sidecar, into: &out) }
        out.u8(entry.mode == .strict ? 0 : 1)
        let inspection = entry.inspection
        switch inspection.origin {
        case nil: out.u8(0)
        case .elfNote: out.u8(1)
        case .sidecar(let sidecarPath):
            out.u8(2)
            out.string(sidecarPath)
        case .standaloneManifest: out.u8(3)
        }
        out.bool(inspection.rawMetadata != nil)
        if let raw = inspection.rawMetadata { out.raw(raw) }
        out.bool(inspection.manifest != nil)
        if let manifest = inspection.manifest { encode(manifest, into: &out) }
        out.u32(UInt32(inspection.problems.count))
        for problem in inspection.problems { encode(problem, into: &out) }
    }

    static func encode(_ stamp: ContentStamp, into out: inout Writer) {
        out.u64(stamp.device)
        out.u64(stamp.inode)
        out.i64(stamp.size)
        out.i64(stamp.modificationTimeNanoseconds)
        out.i64(stamp.changeTimeNanoseconds)
    }

    static func encode(_ problem: Problem, into out: inout Writer) {
        out.string(problem.code.rawValue)
        out.u8(problem.severity == .error ? 0 : 1)
        out.string(problem.message)
        out.optionalString(problem.file)
        out.optionalString(problem.node)
    }

    static func encode(_ manifest: PluginManifest, into out: inout Writer) {
        out.string(manifest.id)
        out.string(manifest.name)
        out.string(manifest.version)
        out.u32(UInt32(manifest.abi.major))
        out.u32(UInt32(manifest.abi.minor))
        out.optionalString(manifest.author)
        out.optionalString(manifest.license)
        out.string(manifest.description)
        out.bool(manifest.threadSafe)
        out.u32(UInt32(manifest.dependencies.count))
        for dependency in manifest.dependencies {
            out.string(dependency.pluginID)
            out.string(dependency.range)
        }
        out.u32(UInt32(manifest.nodes.count))
        for node in manifest.nodes {
            out.string(node.nodeType)
            out.string(node.version)
            out.string(node.category)
            out.string(node.description)
            out.strings(node.requiredFields)
            out.bool(node.schema != nil)
            if let schema = node.schema { encode(schema, into: &out) }
            out.u32(UInt32(node.supportedVersions.count))
            for version in node.supportedVersions { out.i64(Int64(version)) }
            out.strings(node.tags)
            out.optionalString(node.icon)
            out.bool(node.experimental)
            out.bool(node.function != nil)
            if let function = node.function {
                out.string(function.symbol)
                out.string(function.signature.description)
                out.strings(function.params)
            }
        }
        out.optionalString(manifest.library)
    }

    static func encode(_ value: JSONValue, into out: inout Writer) {
        switch value {
        case .null: out.u8(0)
        case .bool(let flag): out.u8(flag ? 2 : 1)
        case .int(let number): out.u8(3); out.i64(number)
        case .double(let number): out.u8(4); out.u64(number.bitPattern)
        case .string(let text): out.u8(5); out.string(text)
        case .array(let elements):
            out.u8(6)
            out.u32(UInt32(elements.count))
            for element in elements { encode(element, into: &out) }
        case .object(let object):
            out.u8(7)
            out.u32(UInt32(object.count))
            for member in object.members {
                out.string(member.key)
                encode(member.value, into: &out)
            }
        }
    }

    // MARK: Reading

    /// A bounds-checked cursor over the file's bytes; every read fails (nil) rather than
    /// trapping when the data runs out or is out of range.
    struct Reader {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        var atEnd: Bool { index == bytes.count }

        mutating func u8() -> UInt8? {
            guard index < bytes.count else { return nil }
            defer { index += 1 }
            return bytes[index]
        }
        mutating func bool() -> Bool? {
            switch u8() {
            case 0?: return false
            case 1?: return true
            default: return nil
            }
        }
        mutating func u32() -> UInt32? {
            guard bytes.count - index >= 4 else { return nil }
            defer { index += 4 }
            return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt32.self))
        }
        mutating func u64() -> UInt64? {
            guard bytes.count - index >= 8 else { return nil }
            defer { index += 8 }
            return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
        }
        mutating func i64() -> Int64? { u64().map { Int64(bitPattern: $0) } }
        /// A count of items that each take at least one byte, so a damaged count cannot make
        /// a reader reserve more than the file could hold.
        mutating func count() -> Int? {
            guard let value = u32(), Int(value) <= bytes.count - index else { return nil }
            return Int(value)
        }
        mutating func run() -> UnsafeRawBufferPointer? {
            guard let length = count() else { return nil }
            defer { index += length }
            return UnsafeRawBufferPointer(rebasing: bytes[index..<(index + length)])
        }
        mutating func raw() -> [UInt8]? { run().map { Array($0) } }
        /// The file is checksummed, so its strings are the valid UTF-8 that was written.
        mutating func string() -> String? { run().map { String(decoding: $0, as: UTF8.self) } }
        mutating func optionalString() -> String?? {
            guard let present = bool() else { return nil }
            guard present else { return .some(nil) }
            guard let text = string() else { return nil }
            return .some(text)
        }
        mutating func strings() -> [String]? {
            guard let count = count() else { return nil }
            var result: [String] = []
            result.reserveCapacity(count)
            for _ in 0..<count {
                guard let text = string() else { return nil }
                result.append(text)
            }
            return result
        }
    }

    static func decodeEntry(_ reader: inout Reader) -> (path: String, entry: ScanCache.Entry)? {
        guard let path = reader.string(), let file = decodeStamp(&reader), let hasSidecar = reader.bool() else { return nil }
        var sidecar: ContentStamp? = nil
        if hasSidecar {
            guard let stamp = decodeStamp(&reader) else { return nil }
            sidecar = stamp
        }
        let mode: ValidationMode
        switch reader.u8() {
        case 0?: mode = .strict
        case 1?: mode = .loose
        default: return nil
        }
        var origin: MetadataOrigin? = nil
        switch reader.u8() {
        case 0?: origin = nil
        case 1?: origin = .elfNote
        case 2?:
            guard let sidecarPath = reader.string() else { return nil }
            origin = .sidecar(path: sidecarPath)
        case 3?: origin = .standaloneManifest
        default: return nil
        }
        guard let hasRaw = reader.bool() else { return nil }
        var raw: [UInt8]? = nil
        if hasRaw {
            guard let bytes = reader.raw() else { return nil }
            raw = bytes
        }
        guard let hasManifest = reader.bool() else { return nil }
        var manifest: PluginManifest? = nil
        if hasManifest {
            guard let decoded = decodeManifest(&reader) else { return nil }
            manifest = decoded
        }
        guard let problemCount = reader.count() else { return nil }
        var problems: [Problem] = []
        problems.reserveCapacity(problemCount)
        for _ in 0..<problemCount {
            guard let problem = decodeProblem(&reader) else { return nil }
            problems.append(problem)
        }
        let inspection = PluginInspection(path: path, origin: origin, rawMetadata: raw, manifest: manifest, problems: problems)
        return (path, ScanCache.Entry(file: file, sidecar: sidecar, mode: mode, inspection: inspection))
    }

    static func decodeStamp(_ reader: inout Reader) -> ContentStamp? {
        guard let device = reader.u64(), let inode = reader.u64(), let size = reader.i64(), let mtime = reader.i64(),
              let ctime = reader.i64() else {
            return nil
        }
        return ContentStamp(device: device, inode: inode, size: size, modificationTimeNanoseconds: mtime, changeTimeNanoseconds: ctime)
    }

    static func decodeProblem(_ reader: inout Reader) -> Problem? {
        guard let code = reader.string(), let severityByte = reader.u8(), severityByte <= 1, let message = reader.string(),
              let file = reader.optionalString(), let node = reader.optionalString() else { return nil }
        return Problem(ProblemCode(rawValue: code), severityByte == 0 ? .error : .warning, message, file: file, node: node)
    }

    static func decodeManifest(_ reader: inout Reader) -> PluginManifest? {
        guard let id = reader.string(), let name = reader.string(), let version = reader.string(),
              let major = reader.u32(), let minor = reader.u32(), major <= UInt32(UInt16.max), minor <= UInt32(UInt16.max),
              let author = reader.optionalString(), let license = reader.optionalString(),
              let description = reader.string(), let threadSafe = reader.bool(),
              let dependencyCount = reader.count() else { return nil }
        var dependencies: [PluginDependency] = []
        dependencies.reserveCapacity(dependencyCount)
        for _ in 0..<dependencyCount {
            guard let pluginID = reader.string(), let range = reader.string() else { return nil }
            dependencies.append(PluginDependency(pluginID: pluginID, range: range))
        }
        guard let nodeCount = reader.count() else { return nil }
        var nodes: [NodeDescriptor] = []
        nodes.reserveCapacity(nodeCount)
        for _ in 0..<nodeCount {
            guard let node = decodeNode(&reader) else { return nil }
            nodes.append(node)
        }
        guard let library = reader.optionalString() else { return nil }
        return PluginManifest(id: id, name: name, version: version, abi: ABIVersion(major: UInt16(major), minor: UInt16(minor)),
                              author: author, license: license, description: description, threadSafe: threadSafe,
                              dependencies: dependencies, nodes: nodes, library: library)
    }

    static func decodeNode(_ reader: inout Reader) -> NodeDescriptor? {
        guard let nodeType = reader.string(), let version = reader.string(), let category = reader.string(),
              let description = reader.string(), let requiredFields = reader.strings(), let hasSchema = reader.bool() else {
            return nil
        }
        var schema: JSONValue? = nil  // not `nil` in a ternary: JSONValue is ExpressibleByNilLiteral
        if hasSchema {
            guard let value = decodeJSON(&reader, depth: 0) else { return nil }
            schema = value
        }
        guard let versionCount = reader.count() else { return nil }
        var supportedVersions: [Int] = []
        supportedVersions.reserveCapacity(versionCount)
        for _ in 0..<versionCount {
            guard let version = reader.i64(), let fitting = Int(exactly: version) else { return nil }
            supportedVersions.append(fitting)
        }
        guard let tags = reader.strings(), let icon = reader.optionalString(), let experimental = reader.bool(),
              let hasFunction = reader.bool() else { return nil }
        var function: FunctionDeclaration? = nil
        if hasFunction {
            // The signature is stored as its canonical text and parsed back: a text that no
            // longer parses (another host version's types) makes the whole entry unusable.
            guard let symbol = reader.string(), let text = reader.string(),
                  let signature = try? FunctionSignature(parsing: text), let params = reader.strings() else { return nil }
            function = FunctionDeclaration(symbol: symbol, signature: signature, params: params)
        }
        return NodeDescriptor(nodeType: nodeType, version: version, category: category, description: description,
                              requiredFields: requiredFields, schema: schema, supportedVersions: supportedVersions,
                              tags: tags, icon: icon, experimental: experimental, function: function)
    }

    static func decodeJSON(_ reader: inout Reader, depth: Int) -> JSONValue? {
        guard depth <= maximumDepth, let tag = reader.u8() else { return nil }
        switch tag {
        case 0: return .null
        case 1: return .bool(false)
        case 2: return .bool(true)
        case 3: return reader.i64().map { .int($0) }
        case 4: return reader.u64().map { .double(Double(bitPattern: $0)) }
        case 5: return reader.string().map { .string($0) }
        case 6:
            guard let count = reader.count() else { return nil }
            var elements: [JSONValue] = []
            elements.reserveCapacity(count)
            for _ in 0..<count {
                guard let element = decodeJSON(&reader, depth: depth + 1) else { return nil }
                elements.append(element)
            }
            return .array(elements)
        case 7:
            guard let count = reader.count() else { return nil }
            var members: [(key: String, value: JSONValue)] = []
            members.reserveCapacity(count)
            for _ in 0..<count {
                guard let key = reader.string(), let value = decodeJSON(&reader, depth: depth + 1) else { return nil }
                members.append((key: key, value: value))
            }
            return .object(JSONObject(members))
        default:
            return nil
        }
    }

    // MARK: Integrity

    /// An FNV-1a-style hash of `bytes`: cheap, and enough to notice a truncated or damaged file (the file
    /// is already trusted by owner and mode; this guards against accidents, not attackers).
    /// Eight bytes per step, then the tail byte by byte.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let prime: UInt64 = 0x0000_0100_0000_01B3
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var index = 0
        while bytes.count - index >= 8 {
            hash = (hash ^ bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* prime
            index += 8
        }
        while index < bytes.count {
            hash = (hash ^ UInt64(bytes[index])) &* prime
            index += 1
        }
        return hash ^ UInt64(bytes.count)
    }
}
