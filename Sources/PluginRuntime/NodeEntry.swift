import PluginHostCore
import PluginLoader
import PluginMetadata

/// Everything the execution path needs about one registered node type, prepared once at
/// registration so a call does no per-type work: the node and its plugin, the node type as a C
/// string, the compiled schema, the circuit breaker and the statistics.
///
/// It also remembers the last parameters that passed validation and their JSON bytes: a node
/// called again with exactly the same parameters (a loop, a workflow run again, a benchmark)
/// skips both the schema walk and writing the JSON. "Exactly" is the validation cache's rule
/// (same cases, bytes and member order), so the plugin always sees what a fresh validation
/// would have given it.
final class NodeEntry: Sendable {
    let registered: RegisteredNode
    let nodeType: NulTerminatedUTF8
    /// The compiled schema (nil: the node declares none), or why it cannot be used: a schema
    /// that passed the scan compiles; if one still does not, the node fails closed.
    let schema: Result<ParameterSchema?, Problem>
    let breaker: CircuitBreaker
    /// Whether the node type is a canonical name, decided once: a tenant policy allows
    /// nothing else, and one without allow or restrict lists allows every canonical name.
    let hasCanonicalName: Bool
    /// Statistics and both memos behind one lock, so an execution takes it twice (memos at
    /// admission, statistics and a new output memo when it finishes).
    private let state = Locked(State())
    /// Outputs up to this many bytes are remembered (comparing costs less than parsing).
    static let outputMemoLimit = 4096

    struct State {
        var statistics = NodeStatistics()
        /// The last parameters that validated and the bytes sent for them.
        var parameters: (value: JSONValue, bytes: NulTerminatedUTF8)?
        /// The last output parsed and its bytes: a node that keeps answering the same bytes
        /// is parsed once.
        var output: OutputMemo?
    }

    /// An output's bytes and the value they parse to.
    struct OutputMemo: Sendable {
        let bytes: [UInt8]
        let value: JSONValue
    }

    init(_ registered: RegisteredNode, breaker: CircuitBreaker) {
        self.registered = registered
        self.breaker = breaker
        localPlugin = registered.plugin
        nodeType = NulTerminatedUTF8(registered.nodeType)
        hasCanonicalName = ManifestNames.isValidNodeType(registered.nodeType)
        schema = Self.compile(registered.descriptor)
    }

    /// The in-process plugin, read from the provider once (matching the provider enum per
    /// call copied it). Only entries of the host's in-process registry are called through
    /// it, and those always have one.
    var plugin: LoadedPlugin { localPlugin! }
    private let localPlugin: LoadedPlugin?
    var descriptor: NodeDescriptor { registered.descriptor }

    func record(nanoseconds: UInt64, succeeded: Bool) {
        state.withLock { $0.statistics.record(nanoseconds: nanoseconds, succeeded: succeeded) }
    }

    var statistics: NodeStatistics { state.withLock { $0.statistics } }

    /// The bytes of `parameters` if they are exactly the last ones that validated.
    func rememberedBytes(for parameters: JSONValue) -> NulTerminatedUTF8? {
        state.withLock { Self.remembered(parameters, in: $0) }
    }

    /// ``rememberedBytes(for:)`` and the output memo, under one lock.
    func memos(for parameters: JSONValue) -> (parameters: NulTerminatedUTF8?, output: OutputMemo?) {
        state.withLock { (Self.remembered(parameters, in: $0), $0.output) }
    }

    private static func remembered(_ parameters: JSONValue, in state: State) -> NulTerminatedUTF8? {
        guard let memo = state.parameters, ValidationCache.Key.same(memo.value, parameters) else { return nil }
        return memo.bytes
    }

    /// The output memo alone (a prepared call knows its parameters' bytes already).
    var outputMemo: OutputMemo? { state.withLock { $0.output } }

    /// Remembers that `parameters` validated and were sent as `bytes`.
    func remember(_ parameters: JSONValue, bytes: NulTerminatedUTF8) {
        state.withLock { $0.parameters = (parameters, bytes) }
    }

    /// Records one execution and, when given, remembers a newly parsed output: one lock.
    func record(nanoseconds: UInt64, succeeded: Bool, output: OutputMemo?) {
        state.withLock { state in
            state.statistics.record(nanoseconds: nanoseconds, succeeded: succeeded)
            if let output { state.output = output }
        }
    }

    private static func compile(_ node: NodeDescriptor) -> Result<ParameterSchema?, Problem> {
        guard let raw = node.schema else { return .success(nil) }
        do throws(SchemaViolation) {
            return .success(try ParameterSchema(raw))
        } catch {
            return .failure(Problem(
                .metaBadSchema, .error,
                "the schema of \(node.nodeType) cannot be used (\(error.path.isEmpty ? "/" : error.path) \(error.message)); fix the plugin's metadata",
                node: node.nodeType))
        }
    }
}
