import PluginFFI
import PluginHostCore
import Testing

@Suite("Function calls: every mismatch is INVALID_PARAMETERS naming the parameter")
struct FunctionMismatchTests {
    static let cases: [(String, JSONValue, String)] = [
        ("lab.int8", 128, "parameter `v` is 128, outside int8's range -128…127"),
        ("lab.int8", -129, "parameter `v` is -129, outside int8's range -128…127"),
        ("lab.int8", 300, "parameter `v` is 300, outside int8's range -128…127"),
        ("lab.int16", 32768, "parameter `v` is 32768, outside int16's range -32768…32767"),
        ("lab.int32", 2_147_483_648, "parameter `v` is 2147483648, outside int32's range -2147483648…2147483647"),
        ("lab.int64", 9.3e18, "parameter `v` is 9.3e+18, outside int64's range -9223372036854775808…9223372036854775807"),
        ("lab.uint8", 256, "parameter `v` is 256, outside uint8's range 0…255"),
        ("lab.uint8", -1, "parameter `v` is -1, outside uint8's range 0…255"),
        ("lab.uint64", -1, "parameter `v` is -1, outside uint64's range 0…18446744073709551615"),
        ("lab.uint64", 18446744073709551616.0, "parameter `v` is 1.8446744073709552e+19, outside uint64's range 0…18446744073709551615"),
        ("lab.int8", 1.5, "parameter `v` is 1.5, but int8 takes whole numbers only"),
        ("lab.uint32", "7", "parameter `v` must be an integer (uint32), got a string"),
        ("lab.int32", true, "parameter `v` must be an integer (int32), got a boolean"),
        ("lab.int32", nil, "parameter `v` must be an integer (int32), got null"),
        ("lab.int32", [1], "parameter `v` must be an integer (int32), got an array"),
        ("lab.int32", ["a": 1], "parameter `v` must be an integer (int32), got an object"),
        ("lab.double", "2", "parameter `v` must be a number (double), got a string"),
        ("lab.double", false, "parameter `v` must be a number (double), got a boolean"),
        ("lab.float", 1e39, "parameter `v` is 1e+39, beyond float's range of ±3.4028235e+38"),
        ("lab.float", "1", "parameter `v` must be a number (float), got a string"),
        ("lab.not", 1, "parameter `v` must be a boolean (true or false), got a number"),
        ("lab.not", "true", "parameter `v` must be a boolean (true or false), got a string"),
        ("lab.string", 5, "parameter `s` must be a string, got a number"),
        ("lab.string", nil, "parameter `s` must be a string, got null"),
        ("lab.string", "a\u{0}b", "parameter `s` contains a NUL character, which a C string cannot carry: remove it, or declare string+LENGTH if the function takes the length too"),
    ]

    @Test("a value that does not map exactly to its C type is refused before the call", arguments: cases)
    func mismatch(nodeType: String, value: JSONValue, message: String) throws {
        let parameter = nodeType == "lab.string" ? "s" : "v"
        let result = try FFILab.call(nodeType, .object([parameter: value]))
        #expect(result.code == .invalidParameters)
        #expect(result.message == message)
    }

    @Test("a missing parameter is named")
    func missing() throws {
        let result = try FFILab.call("lab.mixed", ["a": 1, "b": 1, "c": 1, "d": true, "s": "x"])
        #expect(result.code == .invalidParameters)
        #expect(result.message == "parameter `e` is missing: lab.mixed takes `a`, `b`, `c`, `d`, `s`, `e`")
    }

    @Test("a parameter the function does not take is named")
    func extra() throws {
        let result = try FFILab.call("lab.int8", ["v": 1, "w": 2])
        #expect(result.message == "`w` is not a parameter of lab.int8, which takes `v`: remove it")
        #expect(result.code == .invalidParameters)
    }

    @Test("parameters that are not an object are refused")
    func notObject() throws {
        let result = try FFILab.call("lab.int8", [1])
        #expect(result.code == .invalidParameters)
        #expect(result.message == "the parameters must be a JSON object such as {\"v\": …}, not array")
    }

    @Test("parameter text that is not JSON is refused")
    func notJSON() throws {
        let result = try FFILab.callText("lab.int8", "{\"v\":")
        #expect(result.code == .invalidParameters)
        #expect(result.message?.hasPrefix("the parameters are not JSON") == true)
    }

    @Test("a rejected call never reaches the function")
    func notCalled() throws {
        _ = try FFILab.function("lab.counted").call(parameters: ["v": 1])
        let before = try FFILab.call("lab.calls", [:]).get()
        #expect(try FFILab.call("lab.counted", ["v": 300]).code == .invalidParameters)
        #expect(try FFILab.call("lab.calls", [:]).get() == before)
        #expect(before == 1)
    }
}

@Suite("Function calls from JSON text: the fast lane agrees with the general path")
struct FunctionTextTests {
    @Test("each mismatch gives the same code and message from JSON text", arguments: FunctionMismatchTests.cases)
    func sameRefusal(nodeType: String, value: JSONValue, message: String) throws {
        let parameter = nodeType == "lab.string" ? "s" : "v"
        let result = try FFILab.callText(nodeType, JSONWriter.string(.object([parameter: value])))
        #expect(result.code == .invalidParameters)
        #expect(result.message == message)
    }

    @Test("uint64 max goes in exactly from its digits")
    func uint64MaxIn() throws {
        #expect(try FFILab.callText("lab.uint64", #"{"v":18446744073709551615}"#).get() == #"{"result":18446744073709551615}"#)
    }

    @Test("one past uint64 max is out of range")
    func uint64PastMax() throws {
        let result = try FFILab.callText("lab.uint64", #"{"v":18446744073709551616}"#)
        #expect(result.message == "parameter `v` is 1.8446744073709552e+19, outside uint64's range 0…18446744073709551615")
    }

    @Test("whitespace, exponents and member order are read as JSON reads them")
    func grammar() throws {
        #expect(try FFILab.callText("lab.mixed", #" { "e" : 2 , "s":"abc","d":true,"c":5e-1,"b":0.25,"a":-3 } "#).get() == #"{"result":230997.75}"#)
        #expect(try FFILab.callText("lab.int16", #"{"v":-1.0E2}"#).get() == #"{"result":-100}"#)
    }

    static let generalPathCases: [(String, String, String)] = [
        ("lab.int8", #"{"v":1,"v":2}"#, #"{"result":2}"#),
        ("lab.int8", #"{"\u0076":5}"#, #"{"result":5}"#),
        ("lab.string", #"{"s":"tab\there"}"#, #"{"result":"tab\there"}"#),
    ]

    @Test("duplicates, escaped keys and strings take the general path and still work", arguments: generalPathCases)
    func generalPath(nodeType: String, text: String, expected: String) throws {
        #expect(try FFILab.callText(nodeType, text).get() == expected)
    }

    static let malformed = [#"{"v":01}"#, #"{"v":-}"#, #"{"v":1.}"#, #"{"v":1e}"#, #"{"v":1,}"#, #"{"v":1} x"#, #"{"v" 1}"#, "", "[1]", #"{"v":tru}"#]

    @Test("malformed text is INVALID_PARAMETERS, never a crash or a call", arguments: malformed)
    func malformedText(text: String) throws {
        let result = try FFILab.callText("lab.int8", text)
        #expect(result.code == .invalidParameters)
    }
}
