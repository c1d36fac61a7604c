import PluginFFI
import PluginHostCore
import Testing

@Suite("Function calls: every type round-trips")
struct FunctionCallTests {
    static let integerEdges: [(String, JSONValue)] = [
        ("lab.int8", -128), ("lab.int8", 127), ("lab.int8", 0),
        ("lab.int16", -32768), ("lab.int16", 32767),
        ("lab.int32", -2_147_483_648), ("lab.int32", 2_147_483_647),
        ("lab.int64", .int(Int64.min)), ("lab.int64", .int(Int64.max)),
        ("lab.uint8", 0), ("lab.uint8", 255),
        ("lab.uint16", 65535), ("lab.uint32", 4_294_967_295),
        ("lab.uint64", 0), ("lab.uint64", .int(Int64.max)),
    ]

    @Test("integers at the edges of their C type come back unchanged", arguments: integerEdges)
    func integerEdge(nodeType: String, value: JSONValue) throws {
        #expect(try FFILab.call(nodeType, ["v": value]).get() == value)
    }

    @Test("an integral number written with a fraction is an integer")
    func integralDouble() throws {
        #expect(try FFILab.call("lab.int8", ["v": 2.0]).get() == 2)
    }

    @Test("uint64 above Int64.max goes in as an exact double and comes back with exact digits as text")
    func uint64High() throws {
        #expect(try FFILab.callText("lab.uint64", #"{"v":9223372036854775808}"#).get() == #"{"result":9223372036854775808}"#)
    }

    @Test("uint64 max comes back with exact digits as text and as the nearest double as JSON")
    func uint64Max() throws {
        #expect(try FFILab.callText("lab.uint64-max", "{}").get() == #"{"result":18446744073709551615}"#)
        #expect(try FFILab.call("lab.uint64-max", [:]).get() == .double(18446744073709551615.0))
    }

    @Test("a narrow signed return is sign-extended: int8 of 255 is -1")
    func narrowReturn() throws {
        #expect(try FFILab.call("lab.narrow", ["v": 255]).get() == -1)
    }

    @Test("float and double round-trip; float rounds to single precision")
    func floating() throws {
        #expect(try FFILab.call("lab.double", ["v": 0.1]).get() == 0.1)
        #expect(try FFILab.call("lab.double", ["v": 3]).get() == 3.0)
        #expect(try FFILab.call("lab.float", ["v": 1.5]).get() == 1.5)
        #expect(try FFILab.call("lab.float", ["v": 0.1]).get() == .double(Double(Float(0.1))))
    }

    @Test("bool goes in and comes out as a C _Bool")
    func bool() throws {
        #expect(try FFILab.call("lab.not", ["v": true]).get() == false)
        #expect(try FFILab.call("lab.not", ["v": false]).get() == true)
    }

    @Test("a string goes in as const char * and comes back copied, Unicode intact")
    func string() throws {
        #expect(try FFILab.call("lab.string", ["s": "héllo ✓ 🙂"]).get() == "héllo ✓ 🙂")
        #expect(try FFILab.call("lab.string", ["s": ""]).get() == "")
    }

    @Test("a returned string is a copy: the function's buffer changing later does not change it")
    func stringCopied() throws {
        let first = try FFILab.call("lab.buffer", ["s": "first"]).get()
        let second = try FFILab.call("lab.buffer", ["s": "second"]).get()
        #expect(first == "first")
        #expect(second == "second")
    }

    @Test("a NULL const char * result is null")
    func nullString() throws {
        #expect(try FFILab.function("lab.null").call(parameters: [:]).get() == ["result": nil])
    }

    @Test("a void function returns {\"result\": null} and has run")
    func void() throws {
        #expect(try FFILab.function("lab.store").call(parameters: ["v": 42]).get() == ["result": nil])
        #expect(try FFILab.call("lab.stored", [:]).get() == 42)
    }

    @Test("mixed argument types reach the function in declaration order")
    func mixed() throws {
        let parameters: JSONValue = ["e": 2, "s": "abc", "d": true, "c": 0.5, "b": 0.25, "a": -3]
        // -3 + 0.25 + 0.5 + 1000 + 3 * 10000 + 2 * 100000
        #expect(try FFILab.call("lab.mixed", parameters).get() == 230_997.75)
    }

    @Test("NaN or an infinity returned is EXECUTION_ERROR: JSON cannot carry it")
    func nonFinite() throws {
        let nan = try FFILab.call("lab.nan", [:])
        #expect(nan.code == .executionError)
        #expect(nan.message?.hasPrefix("lab_nan returned nan, which JSON cannot represent") == true)
        #expect(try FFILab.call("lab.infinity", [:]).code == .executionError)
    }

    @Test("many threads may call one prepared function at once")
    func concurrent() async throws {
        let function = try FFILab.function("lab.int64")
        await withTaskGroup(of: Bool.self) { group in
            for index in 0..<64 {
                group.addTask { function.call(parameters: ["v": .int(Int64(index))]) == .success(["result": .int(Int64(index))]) }
            }
            for await ok in group { #expect(ok) }
        }
    }
}
