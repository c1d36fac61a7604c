/// How bad a problem is. An `error` keeps a plugin from loading (or a run from starting);
/// a `warning` is reported and the work goes on.
public enum Severity: String, Sendable, Hashable, Codable {
    case error
    case warning
}

/// One thing wrong with a file, a manifest, a node or a workflow, reported to a person.
///
/// Every rejection in the host is a `Problem`: a stable ``code`` for scripts, the ``file`` or
/// ``node`` it concerns, and a ``message`` a person can act on ("what is wrong, what to do").
/// Problems are values, not exceptions: a scan collects all of them and carries on.
public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: ProblemCode
    public var severity: Severity
    /// One actionable sentence: what is wrong and what to do about it.
    public var message: String
    /// The file the problem concerns, as an absolute path, when there is one.
    public var file: String?
    /// The node type or workflow node name the problem concerns, when there is one.
    public var node: String?

    public init(
        _ code: ProblemCode,
        _ severity: Severity = .error,
        _ message: String,
        file: String? = nil,
        node: String? = nil
    ) {
        self.code = code
        self.severity = severity
        self.message = message
        self.file = file
        self.node = node
    }

    /// `CODE: message (file)`, the one-line form the CLI prints on stderr.
    public var description: String {
        var line = "\(code.rawValue): \(message)"
        if let node { line += " [node \(node)]" }
        if let file { line += " (\(file))" }
        return line
    }

    /// The same problem with a different severity (loose mode downgrades some errors).
    public func with(severity: Severity) -> Problem {
        var copy = self
        copy.severity = severity
        return copy
    }

    /// The same problem, attributed to `file`.
    public func with(file: String) -> Problem {
        var copy = self
        copy.file = file
        return copy
    }
}

extension Sequence where Element == Problem {
    /// Whether any problem is an error (and so blocks loading).
    public var containsError: Bool { contains { $0.severity == .error } }
}

extension Problem {
    /// The `{code, severity, message, node?}` object every `--json` report uses for a problem
    /// (a report that also names the file adds it under its own key).
    public func json() -> JSONValue {
        var object: JSONObject = [
            "code": .string(code.rawValue),
            "severity": .string(severity.rawValue),
            "message": .string(message),
        ]
        if let node { object["node"] = .string(node) }
        return .object(object)
    }
}
