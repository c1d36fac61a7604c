import PluginHostCore
import Testing

/// Invalid UTF-8 in a JSON argument is refused by the JSON parser, with the offset of the
/// first bad byte, as the CLI refuses it in a file or an argument.
@Suite("Embed API: invalid UTF-8 in JSON arguments", .disabled(if: EmbedLibrary.skipReason != nil, "\(EmbedLibrary.skipReason ?? "")"))
struct UTF8InputTests {
    /// The offset of `%FF` in a `@bytes:` argument: the bytes before it.
    static func offset(before prefix: String) -> Int { prefix.utf8.count }

    @Test("workflow_json, params_json and policy_json with invalid UTF-8 are INVALID_ARGUMENT naming the offset", arguments: [
        ("run", #"{"nodes":[{"name":""#, #"","type":"math.add"}]}"#, "workflow_json"),
        ("exec", #"{"a":""#, #""}"#, "params_json"),
        ("policy", #"{"tenants":[{"tenantId":""#, #""}]}"#, "policy_json"),
    ])
    func refused(op: String, before: String, after: String, argument: String) throws {
        let document = "@bytes:" + before + "%FF" + after
        let ops: [String] = switch op {
        case "run": ["create", "@null", "run", "@null", document]
        case "exec": ["create", "@null", "exec", "@null", "math.add", document, "@null"]
        default: ["create", "@null", "policy", document]
        }
        let call = try EmbedDriver.run(ops)[1]
        #expect(call.status == Status.invalidArgument, "\(call)")
        #expect(call.errorCode == "INVALID_ARGUMENT")
        let message = call.error?["message"]?.stringValue ?? ""
        #expect(message.hasPrefix("\(argument) is not valid JSON"), "\(call)")
        #expect(message.contains("invalid UTF-8 at byte offset \(Self.offset(before: before))"), "\(call)")
        #expect(call.doc == nil)
    }

    @Test("valid multi-byte UTF-8 passed as bytes is accepted")
    func validBytes() throws {
        let call = try EmbedDriver.run(["create", "@null", "policy", "@bytes:{\"tenants\":[],\"x%C3%A9\":1}"])[1]
        // Parsed (the é arrived intact), then refused for the unknown key: a policy error, not UTF-8.
        #expect(call.errorCode == "POLICY_INVALID", "\(call)")
    }
}
