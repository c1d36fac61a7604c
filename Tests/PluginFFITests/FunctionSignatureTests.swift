import PluginMetadata
import Testing

@Suite("Function signatures")
struct FunctionSignatureTests {
    @Test("a signature parses to its return and argument types")
    func parses() throws {
        let signature = try FunctionSignature(parsing: "double(double,int8)")
        #expect(signature.returnType == .double)
        #expect(signature.argumentTypes == [.double, .int8])
    }

    @Test("spaces and tabs around names and punctuation are allowed and dropped from the canonical form")
    func whitespace() throws {
        #expect(try FunctionSignature(parsing: " uint64 ( string ,\tbool ) ").description == "uint64(string,bool)")
    }

    @Test("() and (void) both mean no arguments", arguments: ["int32()", "int32(void)", "int32( void )"])
    func noArguments(text: String) throws {
        #expect(try FunctionSignature(parsing: text).argumentTypes == [])
    }

    @Test("every supported type parses as an argument and as a return type")
    func everyType() throws {
        for type in CValueType.allCases where type != .void {
            let signature = try FunctionSignature(parsing: "\(type.rawValue)(\(type.rawValue))")
            #expect(signature == FunctionSignature(returnType: type, argumentTypes: [type]))
        }
        #expect(try FunctionSignature(parsing: "void(int8)").returnType == .void)
    }

    static let hostile: [(String, String)] = [
        ("", "does not start with a return type"),
        ("double", "needs the argument list in parentheses after the return type, such as \"double(double)\""),
        ("double(double", "has an argument list that is not closed by \")\" after the last type"),
        ("double(double,)", "has a missing or malformed argument type"),
        ("double(,double)", "has a missing or malformed argument type"),
        ("double(double)x", "has text after the closing parenthesis"),
        ("double(double))", "has text after the closing parenthesis"),
        ("double((double))", "has a missing or malformed argument type"),
        ("double(double double)", "has an argument list that is not closed by \")\" after the last type"),
        ("double(void,int8)", "uses void as an argument type (write \"()\" for no arguments)"),
        ("double(const char *)", "uses the unsupported type \"const\" (supported: \(SignatureError.supportedList))"),
        ("int(int)", "uses the unsupported type \"int\" (supported: \(SignatureError.supportedList))"),
        ("Double(double)", "uses the unsupported type \"Double\" (supported: \(SignatureError.supportedList))"),
        ("double(double,...)", "has a missing or malformed argument type"),
        ("double(int8*)", "has an argument list that is not closed by \")\" after the last type"),
        ("dоuble(double)", "uses the unsupported type \"d\" (supported: \(SignatureError.supportedList))"),
        ("double(double)\0", "has text after the closing parenthesis"),
        ("double\n(double)", "needs the argument list in parentheses after the return type, such as \"double(double)\""),
    ]

    @Test("hostile or malformed text is refused with the reason", arguments: hostile)
    func refused(text: String, reason: String) {
        #expect(throws: SignatureError(reason)) { try FunctionSignature(parsing: text) }
    }

    @Test("an overlong signature is refused before it is scanned")
    func overlong() {
        let text = "double(" + String(repeating: "double,", count: 200) + "double)"
        #expect(throws: SignatureError("is longer than 1024 characters")) { try FunctionSignature(parsing: text) }
    }

    @Test("more than 127 arguments are refused")
    func tooManyArguments() {
        let text = "int8(" + Array(repeating: "int8", count: 128).joined(separator: ",") + ")"
        #expect(throws: SignatureError("has more than 127 arguments")) { try FunctionSignature(parsing: text) }
    }

    @Test("an overlong type name is shortened in the message")
    func longName() {
        let name = String(repeating: "x", count: 40)
        #expect(throws: SignatureError("uses the unsupported type \"\(String(repeating: "x", count: 32))…\" (supported: \(SignatureError.supportedList))")) {
            try FunctionSignature(parsing: "\(name)()")
        }
    }
}
