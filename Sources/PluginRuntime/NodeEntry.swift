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
    private let statisticsState = Locked(NodeStatistics())
    private let memo = Locked<(parameters: JSONValue, bytes: NulTerminatedUTF8)?>(nil)

    init(_ registered: RegisteredNode, breaker: CircuitBreaker) {
        self.registered = registered
        self.breaker = breaker
        nodeType = NulTerminatedUTF8(registered.nodeType)
        schema = Self.compile(registered.descriptor)
    }

    var plugin: LoadedPlugin { registered.plugin }
    var descriptor: NodeDescriptor { registered.descriptor }

    func record(nanoseconds: UInt64, succeeded: Bool) {
        statisticsState.withLock { $0.record(nanoseconds: nanoseconds, succeeded: succeeded) }
    }

    var statistics: NodeStatistics { statisticsState.withLock { $0 } }

    /// The bytes of `parameters` if they are exactly the last ones that validated.
    func rememberedBytes(for parameters: JSONValue) -> NulTerminatedUTF8? {
        memo.withLock { memo in
            guard let memo, ValidationCache.Key.same(memo.parameters, parameters) else { return nil }
            return memo.bytes
        }
    }

    /// Remembers that `parameters` validated and were sent as `bytes`.
    func remember(_ parameters: JSONValue, bytes: NulTerminatedUTF8) {
        memo.withLock { $0 = (parameters, bytes) }
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
