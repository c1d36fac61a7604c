import CFFI
import PluginHostCore
import PluginMetadata

/// One function node, ready to call: its C function's address and a libffi call interface
/// prepared once, at load time.
///
/// A call maps the JSON parameters to C arguments with exact type and range checks, calls
/// through `ffi_call`, and maps the return value to `{"result": value}`. Argument storage is
/// on the stack (`withUnsafeTemporaryAllocation`), strings are passed as pointers into the
/// parameters' own storage, and nothing is allocated per call except the result. A
/// `string+LENGTH` parameter fills two C arguments, the pointer and the byte count the host
/// measured (``FunctionSignature``), so a function taking a buffer and its size is never told
/// a size larger than the buffer.
///
/// Sendable without locks: the call interface and the type table are written once by
/// `ffi_prep_cif` in `prepare` and only read afterwards (`ffi_call` does not modify the cif),
/// so concurrent calls share immutable data; the function itself decides whether it may run
/// concurrently (the manifest's `threadSafe` makes the loader serialize calls otherwise).
public final class PreparedFunction: Sendable {
    /// The node type this function serves, named in problem messages.
    public let nodeType: String
    public let declaration: FunctionDeclaration
    /// The function's address, as an integer (raw pointers are not Sendable).
    private let address: UInt
    /// `ffi_cif`, prepared once and never written again.
    nonisolated(unsafe) private let cif: UnsafeMutablePointer<ffi_cif>
    /// The argument type table the cif points into; lives as long as the cif.
    nonisolated(unsafe) private let argumentTypes: UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>
    /// The C arguments' types (``FunctionSignature/cArgumentTypes``): one slot each.
    private let types: [CValueType]
    /// Per declared parameter: its type, and the length type of a `string+LENGTH` one.
    private let parameterTypes: [CValueType]
    private let lengthTypes: [CValueType?]
    private let returnType: CValueType
    /// The parameter names' UTF-8, for matching keys in JSON text without decoding them.
    private let nameBytes: [[UInt8]]
    /// Whether any argument is a string (those always take the general path).
    private let takesString: Bool

    private init(nodeType: String, declaration: FunctionDeclaration, address: UInt,
                 cif: UnsafeMutablePointer<ffi_cif>, argumentTypes: UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>) {
        self.nodeType = nodeType
        self.declaration = declaration
        self.address = address
        self.cif = cif
        self.argumentTypes = argumentTypes
        self.types = declaration.signature.cArgumentTypes
        self.parameterTypes = declaration.signature.argumentTypes
        self.lengthTypes = declaration.signature.lengthTypes
        self.returnType = declaration.signature.returnType
        self.nameBytes = declaration.params.map { Array($0.utf8) }
        self.takesString = types.contains(.string)
    }

    deinit {
        cif.deallocate()
        argumentTypes.deallocate()
    }

    /// Prepares the call interface for `declaration`'s signature and the function at `address`
    /// (what `dlsym` returned for its symbol). LOAD_FAILED, naming the node and the file, when
    /// libffi refuses the signature.
    ///
    /// The corresponding C function is `ffi_prep_cif`.
    public static func prepare(
        nodeType: String, declaration: FunctionDeclaration, address: UnsafeRawPointer, file: String? = nil
    ) -> Result<PreparedFunction, Problem> {
        let signature = declaration.signature
        let cTypes = signature.cArgumentTypes
        let count = cTypes.count
        let table = UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>.allocate(capacity: max(count, 1))
        for (index, type) in cTypes.enumerated() { table[index] = type.ffiType }
        let cif = UnsafeMutablePointer<ffi_cif>.allocate(capacity: 1)
        let status = ph_ffi_prep_cif(cif, UInt32(count), signature.returnType.ffiType, count == 0 ? nil : table)
        guard status == FFI_OK else {
            cif.deallocate()
            table.deallocate()
            return .failure(Problem(.loadFailed, .error,
                "libffi could not prepare a call to \(declaration.symbol) with the signature \(signature) (ffi_status \(status.rawValue)); check the node's \"signature\"",
                file: file, node: nodeType))
        }
        return .success(PreparedFunction(nodeType: nodeType, declaration: declaration, address: UInt(bitPattern: address),
                                         cif: cif, argumentTypes: table))
    }

    /// Calls the function with `parameters` (a JSON object holding exactly the declared
    /// parameters) and returns `{"result": value}`; a `void` function gives `{"result": null}`.
    ///
    /// INVALID_PARAMETERS, naming the parameter, for anything that does not map exactly to
    /// its C type (missing, extra, wrong type, out of range, a fraction for an integer, a
    /// string with a NUL, a `string+LENGTH` string with more bytes than LENGTH can count);
    /// EXECUTION_ERROR when the function returns NaN or an infinity.
    /// The parameter values are checked before the function is called: it never sees a bad one.
    public func call(parameters: JSONValue) -> Result<JSONValue, Problem> {
        invoke(parameters).map { .object(["result": $0.json]) }
    }

    /// ``call(parameters:)`` for parameters as JSON text, returning the result as JSON text
    /// (`{"result":…}`, integers written exactly, including `uint64` above `Int64.max`).
    /// This is the form the loader's `execute` path uses.
    public func call(json: UnsafeRawBufferPointer) -> Result<[UInt8], Problem> {
        if !takesString, let result = callFast(json) {
            return result.map(Self.text)
        }
        let parameters: JSONValue
        do {
            parameters = try JSONParser.parse(Array(json))
        } catch {
            return .failure(invalid("the parameters are not JSON (\(error)); pass a JSON object"))
        }
        return invoke(parameters).map(Self.text)
    }

    /// `{"result":…}` as JSON text.
    private static func text(_ value: FunctionResult) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        value.write(into: &out)
        return out
    }

    /// The fast lane (``ParameterText``): arguments bound straight from the text; nil when the
    /// text needs the general path.
    private func callFast(_ json: UnsafeRawBufferPointer) -> Result<FunctionResult, Problem>? {
        let count = max(types.count, 1)
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: count) { slots in
            withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer?.self, capacity: count) { pointers in
                withUnsafeTemporaryAllocation(of: Bool.self, capacity: count) { seen in
                    var reader = ParameterText(json)
                    switch reader.bind(names: nameBytes, types: types, slots: slots.baseAddress!, seen: seen.baseAddress!) {
                    case .fallback:
                        return nil
                    case .refused(let argument, let reason):
                        return .failure(invalid("parameter `\(declaration.params[argument])` \(reason)"))
                    case .bound:
                        for index in types.indices { pointers[index] = UnsafeMutableRawPointer(slots.baseAddress! + index) }
                        return callFunction(pointers.baseAddress!)
                    }
                }
            }
        }
    }

    // MARK: The call

    private func invoke(_ parameters: JSONValue) -> Result<FunctionResult, Problem> {
        guard case .object(let object) = parameters else {
            return .failure(invalid("the parameters must be a JSON object such as \(example), not \(parameters.typeName)"))
        }
        let params = declaration.params
        if let extra = object.members.first(where: { !params.contains($0.key) }) {
            return .failure(invalid("`\(extra.key)` is not a parameter of \(nodeType), which takes \(paramList): remove it"))
        }
        let count = max(types.count, 1)
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: count) { slots in
            withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer?.self, capacity: count) { pointers in
                bind(0, argument: 0, object, slots.baseAddress!, pointers.baseAddress!)
            }
        }
    }

    /// Converts parameter `index` (C argument `argument`, which differs once a `string+LENGTH`
    /// parameter has filled two) and those after it, then calls. Recursive so that a string
    /// argument's pointer stays valid (inside its `withCString`) until the call has returned.
    private func bind(
        _ index: Int, argument: Int, _ object: JSONObject, _ slots: UnsafeMutablePointer<UInt64>,
        _ pointers: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    ) -> Result<FunctionResult, Problem> {
        guard index < parameterTypes.count else { return callFunction(pointers) }
        let name = declaration.params[index]
        guard let value = object[name] else {
            return .failure(invalid("parameter `\(name)` is missing: \(nodeType) takes \(paramList)"))
        }
        let slot = UnsafeMutableRawPointer(slots + argument)
        pointers[argument] = slot
        guard parameterTypes[index] == .string else {
            if let reason = ArgumentConversion.store(value, as: parameterTypes[index], into: slot) {
                return .failure(invalid("parameter `\(name)` \(reason)"))
            }
            return bind(index + 1, argument: argument + 1, object, slots, pointers)
        }
        guard case .string(let text) = value else {
            return .failure(invalid("parameter `\(name)` \(ArgumentConversion.mismatch(value, "a string"))"))
        }
        var next = argument + 1
        if let lengthType = lengthTypes[index] {
            // The count the function gets is the host's own: the string's UTF-8 bytes, refused
            // (not truncated) when the declared length type cannot hold it. NULs are fine here,
            // the length delimits the bytes.
            let lengthSlot = UnsafeMutableRawPointer(slots + next)
            pointers[next] = lengthSlot
            next += 1
            let byteCount = text.utf8.count
            let maximum = lengthType.integerBounds!.maximum
            guard UInt64(byteCount) <= maximum else {
                return .failure(invalid(
                    "parameter `\(name)` is \(byteCount) bytes, more than its \(lengthType.rawValue) length argument can count (at most \(maximum)): pass at most \(maximum) bytes, or declare the length type the C function really takes (such as string+uint32 or string+uint64)"))
            }
            _ = ArgumentConversion.store(.int(Int64(byteCount)), as: lengthType, into: lengthSlot)
        } else if text.utf8.contains(0) {
            return .failure(invalid("parameter `\(name)` contains a NUL character, which a C string cannot carry: remove it, or declare string+LENGTH if the function takes the length too"))
        }
        // withCString: never a NULL pointer, even for "" (a function such as crc32 treats a
        // NULL buffer as a request for its initial value, not as zero bytes).
        return text.withCString { pointer in
            slot.storeBytes(of: pointer, as: UnsafePointer<CChar>.self)
            return bind(index + 1, argument: next, object, slots, pointers)
        }
    }

    /// The call itself; the return slot is two words, more than any supported return needs.
    ///
    /// The corresponding C function is `ffi_call`.
    private func callFunction(_ pointers: UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> Result<FunctionResult, Problem> {
        var returned: (UInt64, UInt64) = (0, 0)
        return withUnsafeMutableBytes(of: &returned) { slot in
            ph_ffi_call(cif, UnsafeMutableRawPointer(bitPattern: address), slot.baseAddress, types.isEmpty ? nil : pointers)
            return FunctionResult.read(slot.baseAddress!, as: returnType).mapError { error in
                Problem(.executionError, .error,
                        "\(declaration.symbol) returned \(error.value), which JSON cannot represent; check the parameters passed to \(nodeType)",
                        node: nodeType)
            }
        }
    }

    private func invalid(_ message: String) -> Problem {
        Problem(.invalidParameters, .error, message, node: nodeType)
    }

    /// `base, exp` for messages.
    private var paramList: String {
        declaration.params.isEmpty ? "no parameters" : declaration.params.map { "`\($0)`" }.joined(separator: ", ")
    }

    /// `{"base": …, "exp": …}` for messages.
    private var example: String {
        "{" + declaration.params.map { "\"\($0)\": …" }.joined(separator: ", ") + "}"
    }
}
