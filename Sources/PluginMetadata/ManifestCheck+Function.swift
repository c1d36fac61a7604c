import PluginHostCore

extension ManifestCheck {
    /// Keys of a node's `function` object.
    static let functionKeys = KeySet(["symbol", "signature", "params"])

    /// Longest symbol accepted; real C symbols are far shorter, and messages stay readable.
    static let maximumSymbolLength = 255
    /// Longest parameter name accepted.
    static let maximumParamLength = 64

    /// Reads and checks a node's `function` declaration; nil when it is absent or has any
    /// problem. Problems are errors in both modes except unknown keys: a declaration that is
    /// almost right would make libffi call the function with the wrong arguments, and loose
    /// mode never relaxes safety.
    mutating func function(_ value: JSONValue, at base: String, node: String?) -> FunctionDeclaration? {
        let here = base + "/function"
        guard case .object(let object) = value else {
            wrong(.metaBadValue, here, value, hint: "an object {\"symbol\", \"signature\", \"params\"} describing the C function",
                  fallback: nil, alwaysError: true, node: node)
            return nil
        }
        unknownKeys(object, known: Self.functionKeys, at: here, node: node)
        let symbol = functionSymbol(object, at: here, node: node)
        let signature = functionSignature(object, at: here, node: node)
        let params = functionParams(object, at: here, arguments: signature?.argumentTypes.count, node: node)
        guard let symbol, let signature, let params else { return nil }
        return FunctionDeclaration(symbol: symbol, signature: signature, params: params)
    }

    private mutating func functionSymbol(_ object: JSONObject, at base: String, node: String?) -> String? {
        let hint = "the exported C symbol to call, such as \"pow\""
        guard let value = member(object, "symbol", at: base, .required, hint: hint, fallback: "", node: node) else { return nil }
        guard case .string(let symbol) = value, Self.isCIdentifier(symbol, maximumLength: Self.maximumSymbolLength) else {
            wrong(.metaBadValue, base + "/symbol", value,
                  hint: "a C identifier (a letter or '_', then letters, digits or '_', at most \(Self.maximumSymbolLength) characters) naming the exported function",
                  fallback: nil, alwaysError: true, node: node)
            return nil
        }
        return symbol
    }

    private mutating func functionSignature(_ object: JSONObject, at base: String, node: String?) -> FunctionSignature? {
        let hint = "the C signature, such as \"double(double,double)\""
        guard let value = member(object, "signature", at: base, .required, hint: hint, fallback: "", node: node) else { return nil }
        guard case .string(let text) = value else {
            error(.metaBadSignature, "`\(base)/signature` is \(Self.describe(value)): write the C signature as a string such as \"double(double,double)\".", node: node)
            return nil
        }
        do {
            return try FunctionSignature(parsing: text)
        } catch {
            self.error(.metaBadSignature, "`\(base)/signature` \(Self.quoted(text)) \(error.reason): write it as RETURN(ARG,…) with the types \(SignatureError.supportedList) (void only as the return type; string+LENGTH, such as string+uint32, for a buffer and its size).", node: node)
            return nil
        }
    }

    /// `params`: one distinct, identifier-like name per argument, in argument order.
    /// `arguments` is the signature's argument count, nil when the signature did not parse.
    private mutating func functionParams(_ object: JSONObject, at base: String, arguments: Int?, node: String?) -> [String]? {
        let hint = "an array naming each argument's JSON parameter, such as [\"base\", \"exp\"]"
        guard let value = member(object, "params", at: base, .required, hint: hint, fallback: "", node: node) else { return nil }
        guard case .array(let elements) = value else {
            error(.metaBadSignature, "`\(base)/params` is \(Self.describe(value)): it must be \(hint).", node: node)
            return nil
        }
        var names: [String] = []
        var usable = true
        for (index, element) in elements.enumerated() {
            guard case .string(let name) = element, Self.isCIdentifier(name, maximumLength: Self.maximumParamLength) else {
                error(.metaBadSignature, "`\(base)/params/\(index)` is \(Self.describe(element)): a parameter name is a letter or '_' followed by letters, digits or '_' (at most \(Self.maximumParamLength) characters); rename it.", node: node)
                usable = false
                continue
            }
            if let first = names.firstIndex(of: name) {
                error(.metaBadSignature, "`\(base)/params/\(index)` repeats \(Self.quoted(name)) from `\(base)/params/\(first)`: each argument needs its own parameter name.", node: node)
                usable = false
            }
            names.append(name)
        }
        if let arguments, arguments != elements.count {
            error(.metaBadSignature, "`\(base)/params` names \(elements.count) parameter\(elements.count == 1 ? "" : "s") but the signature has \(arguments) argument\(arguments == 1 ? "" : "s"): name exactly one parameter per argument, in order.", node: node)
            usable = false
        }
        return usable ? names : nil
    }

    /// `^[A-Za-z_][A-Za-z0-9_]*$`, at most `maximumLength` bytes.
    static func isCIdentifier(_ text: String, maximumLength: Int) -> Bool {
        let utf8 = text.utf8
        guard let first = utf8.first, utf8.count <= maximumLength else { return false }
        guard first == UInt8(ascii: "_") || (first | 0x20 >= UInt8(ascii: "a") && first | 0x20 <= UInt8(ascii: "z")) else {
            return false
        }
        return utf8.allSatisfy { byte in
            byte == UInt8(ascii: "_") || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
        }
    }

    /// Every parameter a function passes must be a property of the node's own schema, or
    /// validation could never admit a call that has it.
    mutating func checkParams(_ function: FunctionDeclaration, against schema: JSONValue, at base: String, node: String?) {
        let properties = schema["properties"]?.objectValue
        for (index, name) in function.params.enumerated() where properties?[name] == nil {
            error(.metaBadSchema, "`\(base)/function/params/\(index)` is \(Self.quoted(name)), which is not a property of `\(base)/schema`: add it to the schema's \"properties\", or leave \"schema\" out to have one derived from the signature.", node: node)
        }
    }
}
