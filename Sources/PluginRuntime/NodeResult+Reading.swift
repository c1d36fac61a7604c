import PluginHostCore
import PluginMetadata

extension NodeResult {
    /// A result read back from its `exec --json` shape (``write(to:)``): what a journal keeps of
    /// a finished node, and what `plugin-host rollback` reads from a saved run. Times come back
    /// to the millisecond (the shape's precision), everything else exactly.
    ///
    /// Throws a sentence naming the first member that is missing or of the wrong type: a
    /// document this project did not write (or one edited by hand) is refused, never guessed at.
    public init(json: JSONValue) throws(ResultReadingError) {
        guard case .object(let object) = json else { throw ResultReadingError("a node result must be a JSON object") }
        func string(_ key: String) throws(ResultReadingError) -> String {
            guard case .string(let text)? = object[key] else { throw ResultReadingError("`\(key)` must be a string") }
            return text
        }
        func optionalString(_ key: String) throws(ResultReadingError) -> String? {
            switch object[key] {
            case nil, .null?: return nil
            case .string(let text)?: return text
            default: throw ResultReadingError("`\(key)` must be a string or null")
            }
        }
        func number(_ key: String, in member: JSONObject) throws(ResultReadingError) -> Double {
            guard let value = member[key]?.doubleValue else { throw ResultReadingError("`\(key)` must be a number") }
            return value
        }
        func time(_ key: String, in member: JSONObject) throws(ResultReadingError) -> Double {
            guard case .string(let text)? = member[key], let seconds = WallClock.parseISO8601(text) else {
                throw ResultReadingError("`\(key)` must be a time as YYYY-MM-DDTHH:MM:SS.mmmZ")
            }
            return seconds
        }
        func status(_ text: String) throws(ResultReadingError) -> NodeStatus {
            guard let status = NodeStatus(rawValue: text) else { throw ResultReadingError("unknown status \"\(text)\"") }
            return status
        }
        self.init(nodeType: try string("nodeType"), status: try status(try string("status")), startedAt: try time("startedAt", in: object))
        output = object["output"].flatMap { $0 == .null ? nil : $0 }
        error = try optionalString("error")
        errorCode = try optionalString("errorCode").map(ProblemCode.init(rawValue:))
        durationMs = try number("durationMs", in: object)
        finishedAt = try time("finishedAt", in: object)
        recoveryApplied = try optionalString("recoveryApplied")
        fallbackNodeType = try optionalString("fallbackNodeType")
        executionID = try optionalString("executionId")
        guard case .array(let log)? = object["attemptLog"] else { throw ResultReadingError("`attemptLog` must be an array") }
        attempts = try log.map { (entry: JSONValue) throws(ResultReadingError) -> NodeAttempt in
            guard case .object(let attempt) = entry, let attemptNumber = attempt["attempt"]?.intValue else {
                throw ResultReadingError("each `attemptLog` entry must be an object with an integer `attempt`")
            }
            guard case .string(let text)? = attempt["status"] else { throw ResultReadingError("an attempt's `status` must be a string") }
            let code: ProblemCode?
            switch attempt["errorCode"] {
            case nil, .null?: code = nil
            case .string(let raw)?: code = ProblemCode(rawValue: raw)
            default: throw ResultReadingError("an attempt's `errorCode` must be a string or null")
            }
            let type: String?
            if case .string(let attemptType)? = attempt["nodeType"], attemptType != nodeType { type = attemptType } else { type = nil }
            return NodeAttempt(
                number: Int(attemptNumber), status: try status(text), errorCode: code,
                durationMs: try number("durationMs", in: attempt), startedAt: try time("startedAt", in: attempt), nodeType: type)
        }
        if case .array(let violations)? = object["validationErrors"] {
            validationErrors = violations.compactMap { violation in
                guard case .string(let path)? = violation["path"], case .string(let message)? = violation["message"] else { return nil }
                return ParameterViolation(path: path, message: message)
            }
        }
        if case .array(let lines)? = object["logs"] {
            logs = lines.compactMap { line in if case .string(let text) = line { return text } else { return nil } }
        }
    }
}

/// Why a node result could not be read back from its JSON shape.
public struct ResultReadingError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
