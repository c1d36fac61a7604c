import PluginDiscovery
import PluginFFI
import PluginHostCore
import PluginHostTestSupport
import PluginLoader
import PluginMetadata
import Testing

/// `string+LENGTH`: one JSON string fills a pointer and the byte count the host measured, so a
/// function taking a buffer and its size cannot be told a size larger than the buffer.
@Suite("Function nodes over buffers: string+LENGTH")
struct BufferArgumentTests {
    /// A library whose functions report what they were given: `lab_bytes` returns
    /// `n * 65536 + the sum of the n bytes`, reading exactly `n`.
    static let source = """
        #include <stdint.h>
        #define LAB __attribute__((visibility("default")))
        LAB uint64_t lab_bytes(const char *p, uint8_t n) {
            uint64_t sum = 0;
            for (unsigned i = 0; i < n; i++) sum += (unsigned char)p[i];
            return (uint64_t)n * 65536 + sum;
        }
        """

    static let functions: [(String, String, String, [String])] = [
        ("zlib.crc32", "crc32", "uint64(uint64,string+uint32)", ["crc", "data"]),
        ("zlib.crc32small", "crc32", "uint64(uint64,string+uint8)", ["crc", "data"]),
        ("lab.bytes", "lab_bytes", "uint64(string+uint8)", ["data"]),
    ]

    /// zlib (libz.so.1, on every Debian system) and the lab library, each as a standalone manifest.
    private static let loaded = Locked<Result<[String: PreparedFunction], TestSupportError>?>(nil)

    static func function(_ nodeType: String) throws -> PreparedFunction {
        let table = try loaded.withLock { loaded in
            if loaded == nil { loaded = Result { () throws(TestSupportError) in try load() } }
            return try loaded!.get()
        }
        guard let function = table[nodeType] else { throw TestSupportError("no prepared function for \(nodeType)") }
        return function
    }

    private static func load() throws(TestSupportError) -> [String: PreparedFunction] {
        do {
            let dir = try TemporaryDirectory(prefix: "ffi-buffers")
            try CPluginBuilder.build(source: source, name: "libbytes.so", in: dir)
            var table: [String: PreparedFunction] = [:]
            for (name, library, picked) in [("zlib", "libz.so.1", functions.filter { $0.0.hasPrefix("zlib.") }),
                                            ("bytes", "./libbytes.so", functions.filter { $0.0.hasPrefix("lab.") })] {
                let path = try dir.write("\(name).plugin.json", FFILab.manifest(library: library, functions: picked))
                let inspection = PluginInspector.inspectStandalone(path: path, fileDescriptor: nil, mode: .strict)
                guard inspection.isLoadable else { throw TestSupportError("\(name) manifest rejected: \(inspection.problems)") }
                let plugin = try PluginLoader.load(inspection).get()
                for (nodeType, _, _, _) in picked { table[nodeType] = plugin.preparedFunction(for: nodeType) }
            }
            return table
        } catch let error as TestSupportError {
            throw error
        } catch {
            throw TestSupportError("buffer lab setup failed: \(error)")
        }
    }

    static func call(_ nodeType: String, _ parameters: JSONValue) throws -> Result<JSONValue, Problem> {
        try function(nodeType).call(parameters: parameters).map { $0["result"] ?? "missing result" }
    }

    @Test("crc32 over zlib: \"hello\" is 0x3610a686, the host passing the pointer and the length 5 itself")
    func crc32OfHello() throws {
        #expect(try Self.call("zlib.crc32", ["crc": 0, "data": "hello"]).get() == .int(0x3610_a686))
        var text = #"{"crc":0,"data":"hello"}"#
        let bytes = try text.withUTF8 { try Self.function("zlib.crc32").call(json: UnsafeRawBufferPointer($0)) }.get()
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"result":907060870}"#)
    }

    @Test("an empty string is zero bytes at a real pointer: crc32 returns the crc it was given (a NULL buffer would return 0)")
    func emptyIsNotNull() throws {
        #expect(try Self.call("zlib.crc32", ["crc": 0x3610_a686, "data": ""]).get() == .int(0x3610_a686))
    }

    @Test("the length is the UTF-8 byte count, NULs included: the function reads exactly those bytes")
    func byteCountIsExact() throws {
        #expect(try Self.call("lab.bytes", ["data": "é"]).get() == .int(2 * 65536 + 0xc3 + 0xa9))
        #expect(try Self.call("lab.bytes", ["data": "a\u{0}b"]).get() == .int(3 * 65536 + 97 + 98))
        #expect(try Self.call("lab.bytes", ["data": .string(String(repeating: "z", count: 255))]).get() == .int(255 * 65536 + 255 * 122))
    }

    @Test("the caller cannot pass a length: `len` is not a parameter, so a length longer than the data cannot reach the function")
    func noLengthParameter() throws {
        let result = try Self.call("zlib.crc32", ["crc": 0, "data": "hello", "len": 4_000_000_000])
        #expect(result.code == .invalidParameters)
        #expect(result.message == "`len` is not a parameter of zlib.crc32, which takes `crc`, `data`: remove it")
        let schema = try Self.function("zlib.crc32").declaration.derivedSchema
        #expect(schema["properties"]?.objectValue?.keys == ["crc", "data"])
        #expect(schema["additionalProperties"] == false)
    }

    @Test("hostile: 300 bytes for a uint8 length is refused with INVALID_PARAMETERS naming the limit, never truncated to 44")
    func lengthTypeTooSmall() throws {
        let data = String(repeating: "x", count: 300)
        let result = try Self.call("zlib.crc32small", ["crc": 0, "data": .string(data)])
        #expect(result.code == .invalidParameters)
        #expect(result.message == "parameter `data` is 300 bytes, more than its uint8 length argument can count (at most 255): pass at most 255 bytes, or declare the length type the C function really takes (such as string+uint32 or string+uint64)")
        #expect(try Self.call("lab.bytes", ["data": .string(String(repeating: "z", count: 256))]).code == .invalidParameters)
    }

    @Test("a non-string for a string+LENGTH parameter is refused by type")
    func wrongType() throws {
        let result = try Self.call("zlib.crc32", ["crc": 0, "data": 5])
        #expect(result.message == "parameter `data` must be a string, got a number")
    }
}

@Suite("Signatures with string+LENGTH")
struct BufferSignatureTests {
    @Test("string+uint32 is one declared argument and two C arguments, spelled back canonically")
    func parses() throws {
        let signature = try FunctionSignature(parsing: "uint64( uint64 , string + uint32 )")
        #expect(signature.argumentTypes == [.uint64, .string])
        #expect(signature.lengthTypes == [nil, .uint32])
        #expect(signature.cArgumentTypes == [.uint64, .string, .uint32])
        #expect(signature.description == "uint64(uint64,string+uint32)")
        #expect(try FunctionSignature(parsing: signature.description) == signature)
    }

    static let hostile: [(String, String)] = [
        ("int8(int32+uint8)", "puts \"+\" after int32: only string+LENGTH (a string's bytes and their count, such as string+uint32) takes a length"),
        ("int8(string+)", "has \"string+\" without a length type after it (write string+uint32, or the integer type the function takes)"),
        ("int8(string+float)", "has \"string+float\", but a length type must be an integer type (int8 … int64, uint8 … uint64)"),
        ("int8(string+string)", "has \"string+string\", but a length type must be an integer type (int8 … int64, uint8 … uint64)"),
        ("int8(string+size_t)", "has \"string+size_t\", but a length type must be an integer type (int8 … int64, uint8 … uint64)"),
        ("int8(string+uint8+uint8)", "has an argument list that is not closed by \")\" after the last type"),
    ]

    @Test("a malformed string+LENGTH is refused with the reason", arguments: hostile)
    func refused(text: String, reason: String) {
        #expect(throws: SignatureError(reason)) { try FunctionSignature(parsing: text) }
    }

    @Test("the 127-argument limit counts C arguments: 64 string+uint8 are 128")
    func limitCountsCArguments() throws {
        let text = "int8(" + Array(repeating: "string+uint8", count: 64).joined(separator: ",") + ")"
        #expect(throws: SignatureError("has more than 127 arguments")) { try FunctionSignature(parsing: text) }
        let fits = "int8(" + Array(repeating: "string+uint8", count: 63).joined(separator: ",") + ",int8)"
        #expect(try FunctionSignature(parsing: fits).cArgumentTypes.count == 127)
    }

    @Test("params name one parameter per declared argument: a separate name for the length is META_BAD_SIGNATURE")
    func paramsCount() throws {
        let manifest = FFILab.manifest(library: "libz.so.1", functions: [("zlib.crc32", "crc32", "uint64(uint64,string+uint32)", ["crc", "data", "len"])])
        let directory = try TemporaryDirectory(prefix: "ffi-buffers-manifest")
        let path = try directory.write("zlib.plugin.json", manifest)
        let inspection = PluginInspector.inspectStandalone(path: path, fileDescriptor: nil, mode: .strict)
        let problem = try #require(inspection.problems.first { $0.code == .metaBadSignature })
        #expect(problem.message.contains("names 3 parameters but the signature has 2 arguments"), "\(problem.message)")
    }
}
