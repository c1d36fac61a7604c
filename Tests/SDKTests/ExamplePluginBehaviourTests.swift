import PluginHostTestSupport
import Testing

/// What the bundled example plugins compute and how they fail, called through the C ABI.
@Suite("Example plugin behaviour", .disabled(if: BuildProducts.pluginsAreSanitized, "sanitizer-built plugins need a sanitized host process"))
struct ExamplePluginBehaviourTests {
    private func run(_ plugin: String, _ nodeType: String, _ params: String) throws -> PluginDriver.Outcome {
        try PluginDriver.execute(BuildProducts.plugin(plugin), nodeType, params)
    }

    private func success(_ output: String) -> PluginDriver.Outcome {
        .init(noteMatchesDescriptor: true, status: 0, output: output, error: nil)
    }

    private func failure(_ status: Int32, _ message: String) -> PluginDriver.Outcome {
        .init(noteMatchesDescriptor: true, status: status, output: nil, error: "\(status) \(message)")
    }

    @Test("math nodes compute, printing integral results as integers", arguments: [
        ("math.add", #"{"a":2,"b":3}"#, #"{"result":5}"#),
        ("math.sub", #"{"a":2.5,"b":0.5}"#, #"{"result":2}"#),
        ("math.mul", #"{"a":-4,"b":2.5}"#, #"{"result":-10}"#),
        ("math.div", #"{"a":1,"b":3}"#, #"{"result":0.3333333333333333}"#),
        ("math.add", #"{"a":0.1,"b":0.2}"#, #"{"result":0.30000000000000004}"#),
    ])
    func mathComputes(nodeType: String, params: String, output: String) throws {
        #expect(try run("math", nodeType, params) == success(output))
    }

    @Test("math.div by zero is an invalid-parameters node error")
    func divisionByZero() throws {
        #expect(try run("math", "math.div", #"{"a":1,"b":0}"#) == failure(1, "division by zero: b must not be 0"))
    }

    @Test("a math result that overflows is an execution error")
    func overflow() throws {
        #expect(try run("math", "math.mul", #"{"a":1e308,"b":10}"#)
            == failure(2, "the result is too large to represent (overflow to infinity)"))
    }

    @Test("a math operand beyond a double's range is an invalid-parameters error")
    func operandOutOfRange() throws {
        #expect(try run("math", "math.add", #"{"a":1e400,"b":1}"#)
            == failure(1, "parameter 'a' must be a finite number (PH_JSON_OUT_OF_RANGE)"))
    }

    @Test("a node type a plugin does not provide is unsupported")
    func unknownNodeType() throws {
        #expect(try run("math", "math.pow", #"{"a":1,"b":2}"#) == failure(6, "this plugin has no such node type"))
    }

    @Test("string.upper and string.lower change ASCII letters only", arguments: [
        ("string.upper", #"{"text":"héllo wörld \"q\""}"#, #"{"result":"HéLLO WöRLD \"Q\""}"#),
        ("string.lower", #"{"text":"ÀBC\u00c9Z"}"#, #"{"result":"ÀbcÉz"}"#),
    ])
    func caseMapping(nodeType: String, params: String, output: String) throws {
        #expect(try run("string", nodeType, params) == success(output))
    }

    @Test("string.concat joins values with the separator, default empty", arguments: [
        (#"{"values":["a","b\n","c"],"separator":", "}"#, #"{"result":"a, b\n, c"}"#),
        (#"{"values":["a","b"]}"#, #"{"result":"ab"}"#),
        (#"{"values":[],"separator":"-"}"#, #"{"result":""}"#),
        (#"{"values":["only"],"separator":"-"}"#, #"{"result":"only"}"#),
    ])
    func concat(params: String, output: String) throws {
        #expect(try run("string", "string.concat", params) == success(output))
    }

    @Test("string.concat rejects a non-string value")
    func concatRejectsNumber() throws {
        #expect(try run("string", "string.concat", #"{"values":["a",1]}"#)
            == failure(1, "parameter 'values' has the wrong type (PH_JSON_WRONG_TYPE)"))
    }

    @Test("string.length counts Unicode scalar values, not bytes", arguments: [
        (#"{"text":""}"#, #"{"result":0}"#),
        (#"{"text":"héllo"}"#, #"{"result":5}"#),
        (#"{"text":"😀\ud83d\ude00a\u0000"}"#, #"{"result":4}"#),
    ])
    func length(params: String, output: String) throws {
        #expect(try run("string", "string.length", params) == success(output))
    }

    @Test("string nodes handle text far larger than any fixed buffer")
    func largeText() throws {
        let text = String(repeating: "abcdefgh", count: 131_072)  // 1 MiB
        let directory = try TemporaryDirectory(prefix: "sdk-large")
        let params = try directory.write("params.json", #"{"text":"\#(text)"}"#)
        let outcome = try run("string", "string.upper", "@" + params)
        #expect(outcome.status == 0)
        #expect(outcome.output == #"{"result":"\#(text.uppercased())"}"#)
    }

    @Test("greeter.hello greets with the default or given punctuation, escaped", arguments: [
        (#"{"name":"Ada"}"#, #"{"result":"Hello, Ada!"}"#),
        (#"{"name":"\"Bo\"","punctuation":"?"}"#, #"{"result":"Hello, \"Bo\"?"}"#),
        (#"{"name":"Zoë\n","punctuation":""}"#, #"{"result":"Hello, Zoë\n"}"#),
    ])
    func greets(params: String, output: String) throws {
        #expect(try run("greeter", "greeter.hello", params) == success(output))
    }

    @Test("greeter.hello rejects an empty or missing name", arguments: [
        (#"{"name":""}"#, "parameter 'name' must not be empty"),
        (#"{}"#, "parameter 'name' is required"),
        (#"{"name":7}"#, "parameter 'name' must be a string"),
    ])
    func greeterRejects(params: String, message: String) throws {
        #expect(try run("greeter", "greeter.hello", params) == failure(1, message))
    }
}
