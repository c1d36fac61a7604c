import PluginHostCore

extension RetryPolicy {
    /// The fields a `retry` object may have, in documentation order.
    public static let fieldNames = [
        "initialIntervalMs", "backoffCoefficient", "maximumIntervalMs", "maximumAttempts",
        "nonRetryableErrorCodes", "backoff", "jitter",
    ]

    /// Reads a workflow's `settings.retry` or a node's `retry` object on top of `defaults`.
    ///
    /// Fields are merged one by one: a field the object leaves out keeps its value from
    /// `defaults`, so a node's `retry` is parsed with the workflow's policy as `defaults`
    /// (and the workflow's with `RetryPolicy()`). A list field (`nonRetryableErrorCodes`) given
    /// on the node replaces the inherited list. `maximumIntervalMs: null` restores the
    /// "100 × initial" rule.
    ///
    /// Every problem is reported at once, each a `RECOVERY_INVALID` whose message starts with the
    /// JSON pointer of the offending value under `pointer` (e.g. `/nodes/0/retry/jitter`).
    /// Unknown keys are errors (a misspelt field would otherwise silently not apply). The
    /// policy is nil when any problem is an error; warnings (a field that has no effect) keep it.
    public static func parse(_ json: JSONValue, defaults: RetryPolicy, pointer: String) -> (RetryPolicy?, [Problem]) {
        var parser = RecoveryFieldReader(pointer: pointer)
        guard case .object(let object) = json else {
            parser.error(at: nil, "is \(RecoveryFieldReader.shown(json)): a retry policy is an object such as {\"maximumAttempts\": 3}; fix it.")
            return (nil, parser.problems)
        }
        parser.rejectUnknownKeys(object, known: fieldNames, what: "a retry policy field")

        var policy = defaults
        if let value = parser.interval(object, "initialIntervalMs") { policy.initialIntervalMs = value }
        if let value = object["maximumIntervalMs"] {
            if value == .null {
                policy.maximumIntervalMs = nil
            } else if let interval = parser.interval(object, "maximumIntervalMs") {
                policy.maximumIntervalMs = interval
            }
        }
        if let value = parser.number(object, "backoffCoefficient", hint: "a number ≥ 1 such as 2") {
            if value < 1 {
                parser.error(at: "backoffCoefficient", "is \(JSONWriter.formatDouble(value)): delays would shrink between attempts; use 1 for a fixed delay or more (2 doubles it).")
            } else {
                policy.backoffCoefficient = value
            }
        }
        if let value = parser.attempts(object) { policy.maximumAttempts = value }
        if let value = parser.backoff(object) { policy.backoff = value }
        if let value = parser.number(object, "jitter", hint: "a fraction from 0 to 1 such as 0.2") {
            if value < 0 || value > 1 {
                parser.error(at: "jitter", "is \(JSONWriter.formatDouble(value)): jitter is a fraction of the delay; give a number from 0 (none) to 1.")
            } else {
                policy.jitter = value
            }
        }
        if let codes = parser.nonRetryableCodes(object) { policy.nonRetryableErrorCodes = codes }

        if object["backoffCoefficient"] != nil, let kind = object["backoff"]?.stringValue, kind == "linear" || kind == "fixed" {
            parser.warning(at: "backoffCoefficient", "has no effect with \"backoff\": \"\(kind)\" (only exponential backoff uses it); remove it or use exponential backoff.")
        }
        if let maximum = policy.maximumIntervalMs, maximum < policy.initialIntervalMs {
            let ownsMaximum = object["maximumIntervalMs"] != nil
            let inherited = ownsMaximum && object["initialIntervalMs"] != nil ? "" : " (one of them is inherited from the workflow settings)"
            parser.error(
                at: ownsMaximum ? "maximumIntervalMs" : "initialIntervalMs",
                "makes maximumIntervalMs (\(JSONWriter.formatDouble(maximum))) shorter than initialIntervalMs (\(JSONWriter.formatDouble(policy.initialIntervalMs)))\(inherited): raise maximumIntervalMs or lower initialIntervalMs."
            )
        }
        return (parser.problems.containsError ? nil : policy, parser.problems)
    }
}

extension RecoveryFieldReader {
    /// A delay in milliseconds: a number from 0 to one day.
    mutating func interval(_ object: JSONObject, _ key: String) -> Double? {
        guard let value = number(object, key, hint: "milliseconds such as 1000") else { return nil }
        if value < 0 {
            error(at: key, "is \(JSONWriter.formatDouble(value)): an interval cannot be negative; give milliseconds ≥ 0.")
            return nil
        }
        if value > RetryPolicy.delayCeilingMs {
            error(at: key, "is \(JSONWriter.formatDouble(value)) ms, more than one day (\(JSONWriter.formatDouble(RetryPolicy.delayCeilingMs)) ms): give a shorter interval.")
            return nil
        }
        return value
    }

    /// `maximumAttempts`: a whole number from 1 to the limit (0, Temporal's "unlimited", refused).
    mutating func attempts(_ object: JSONObject) -> Int? {
        guard let value = object["maximumAttempts"] else { return nil }
        let limit = RetryPolicy.maximumAttemptsLimit
        guard let count = value.intValue else {
            error(at: "maximumAttempts", "is \(Self.shown(value)): give the total number of attempts as a whole number from 1 (no retry) to \(limit).")
            return nil
        }
        if count == 0 {
            error(at: "maximumAttempts", "is 0, which means \"unlimited\" in Temporal; this host never retries without end: give the total number of attempts, from 1 (no retry) to \(limit).")
            return nil
        }
        guard count >= 1, count <= Int64(limit) else {
            error(at: "maximumAttempts", "is \(count): give the total number of attempts, the first one included, from 1 (no retry) to \(limit).")
            return nil
        }
        return Int(count)
    }

    mutating func backoff(_ object: JSONObject) -> RetryPolicy.Backoff? {
        guard let value = object["backoff"] else { return nil }
        let kinds = RetryPolicy.Backoff.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        guard let name = value.stringValue, let kind = RetryPolicy.Backoff(rawValue: name) else {
            error(at: "backoff", "is \(Self.shown(value)): use one of \(kinds).")
            return nil
        }
        return kind
    }

    /// `nonRetryableErrorCodes`: known code names. A code that is not retried anyway is a
    /// warning (listing it changes nothing); an unknown name is an error (a typo would
    /// otherwise leave the code retried).
    mutating func nonRetryableCodes(_ object: JSONObject) -> [ProblemCode]? {
        guard let value = object["nonRetryableErrorCodes"] else { return nil }
        let hint = "an array of problem codes such as [\"EXECUTION_TIMEOUT\"]"
        guard case .array(let elements) = value else {
            error(at: "nonRetryableErrorCodes", "is \(Self.shown(value)): give \(hint).")
            return nil
        }
        var codes: [ProblemCode] = []
        var valid = true
        for (index, element) in elements.enumerated() {
            let key = "nonRetryableErrorCodes/\(index)"
            guard let name = element.stringValue else {
                error(at: key, "is \(Self.shown(element)): give \(hint).")
                valid = false
                continue
            }
            let code = ProblemCode(rawValue: name)
            guard ProblemCode.all.contains(where: { $0.code == code }) else {
                error(at: key, "is \(Self.shown(element)), not a problem code this host reports: check the spelling (codes are UPPER_SNAKE_CASE, e.g. \"TRANSIENT_ERROR\").")
                valid = false
                continue
            }
            if !RetryPolicy.retryableByDefault.contains(code) {
                warning(at: key, "is \(name), which is never retried anyway: remove it; only TRANSIENT_ERROR, EXECUTION_TIMEOUT and EXECUTION_ERROR are retried.")
            }
            if !codes.contains(code) { codes.append(code) }
        }
        return valid ? codes : nil
    }
}
