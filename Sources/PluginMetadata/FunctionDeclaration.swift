import PluginHostCore

/// A node served by calling one C function through libffi instead of the plugin's `execute`:
/// `"function": {"symbol": "pow", "signature": "double(double,double)",
/// "params": ["base", "exp"]}`.
///
/// `params[i]` names the JSON parameter that becomes the signature's declared argument `i`, so
/// the two lists always have the same length (the validator guarantees it). A `string+LENGTH`
/// argument is one parameter and two C arguments (``FunctionSignature/cArgumentTypes``). The symbol is resolved
/// only when the library is loaded; at scan time it is only checked to be a C identifier.
public struct FunctionDeclaration: Sendable, Hashable {
    /// The exported C symbol, e.g. `pow`.
    public var symbol: String
    public var signature: FunctionSignature
    /// Parameter names, one per argument, in argument order.
    public var params: [String]

    public init(symbol: String, signature: FunctionSignature, params: [String]) {
        self.symbol = symbol
        self.signature = signature
        self.params = params
    }

    /// The parameter schema a function node gets when its manifest gives none: every argument
    /// required, of its JSON type, integers bounded by their C type, nothing else allowed. So
    /// the runtime's validation reports a wrong type or an out-of-range value before the call,
    /// with every violation at once.
    public var derivedSchema: JSONValue {
        var properties = JSONObject()
        for (name, type) in zip(params, signature.argumentTypes) {
            properties[name] = Self.schema(for: type)
        }
        return .object([
            "type": "object",
            "properties": .object(properties),
            "required": .array(params.map { .string($0) }),
            "additionalProperties": false,
        ])
    }

    /// One argument's schema.
    static func schema(for type: CValueType) -> JSONValue {
        switch type {
        case .bool: return ["type": "boolean"]
        case .string: return ["type": "string"]
        case .float, .double, .void: return ["type": "number"]
        default:
            let (negativeLimit, maximum) = type.integerBounds!
            // int64's lower bound is -2^63, which Int64 holds; uint64's maximum does not fit
            // Int64 and is written as a number (the call itself checks it exactly).
            let minimum: JSONValue = negativeLimit == 0 ? .int(0) : .int(Int64(truncatingIfNeeded: 0 &- negativeLimit))
            let upper: JSONValue = maximum <= UInt64(Int64.max) ? .int(Int64(maximum)) : .double(Double(maximum))
            return ["type": "integer", "minimum": minimum, "maximum": upper]
        }
    }
}
