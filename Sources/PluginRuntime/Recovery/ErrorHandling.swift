import PluginHostCore
import PluginMetadata

/// A node's final-failure handling: its strategy and, for `fallback`, the node type to run.
///
/// The pair is parsed and checked together because each half is meaningless alone: a
/// `fallback` without a node type cannot run, and a node type without `fallback` is never used
/// (a warning, since the workflow still runs as written).
public struct ErrorHandling: Sendable, Hashable {
    public var strategy: ErrorStrategy
    /// Set exactly when `strategy` is `fallback`: a canonical node type.
    public var fallbackNodeType: String?

    public init(strategy: ErrorStrategy = .fail, fallbackNodeType: String? = nil) {
        self.strategy = strategy
        self.fallbackNodeType = fallbackNodeType
    }

    /// Reads `onError` and `fallbackNodeType` from a workflow node object at `pointer`
    /// (e.g. `/nodes/3`), other keys being the workflow parser's business.
    ///
    /// A node without `onError` takes `inherited` (the workflow's `settings.onError`, itself
    /// never `fallback`). `nodeType`, when known, rejects a node that falls back to its own type
    /// (it would fail the same way again). Whether the fallback type exists and is allowed for
    /// the tenant is checked where node types are resolved, like any other node type. The
    /// handling is nil when any problem is an error.
    public static func parse(node object: JSONObject, inherited: ErrorStrategy, nodeType: String?, pointer: String)
        -> (ErrorHandling?, [Problem])
    {
        var reader = RecoveryFieldReader(pointer: pointer)
        var handling = ErrorHandling(strategy: inherited)
        var valid = true
        if let value = object["onError"] {
            if let strategy = reader.strategy(value, key: "onError") { handling.strategy = strategy } else { valid = false }
        }
        var fallbackType: String?
        if let value = object["fallbackNodeType"] {
            if let name = value.stringValue, ManifestNames.isValidNodeType(name) {
                fallbackType = name
            } else {
                reader.error(at: "fallbackNodeType", "is \(RecoveryFieldReader.shown(value)), not a canonical node type: give a lowercase name such as \"math.add-safe\".")
                valid = false
            }
        }
        guard valid else { return (nil, reader.problems) }

        if handling.strategy == .fallback {
            guard let fallbackType else {
                reader.error(at: "onError", "is \"fallback\" but the node has no fallbackNodeType: name the node type to run instead, or choose fail, skip or continue.")
                return (nil, reader.problems)
            }
            if fallbackType == nodeType {
                reader.error(at: "fallbackNodeType", "is the node's own type \"\(fallbackType)\", which would fail the same way: name a different node type.")
                return (nil, reader.problems)
            }
            handling.fallbackNodeType = fallbackType
        } else if let fallbackType {
            reader.warning(at: "fallbackNodeType", "\"\(fallbackType)\" is never used because onError is \"\(handling.strategy.rawValue)\": set onError to \"fallback\" or remove fallbackNodeType.")
        }
        return (handling, reader.problems)
    }
}
