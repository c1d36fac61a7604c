import PluginHostCore

/// Checks values against compiled schemas, filling defaults on the way.
///
/// Paths are built backwards: a check reports violations relative to the value it was given,
/// and each caller prefixes its own step (`/name`, `/3`) as the recursion unwinds. A valid
/// value therefore never builds a path or a message, and the success path allocates nothing
/// unless a default has to be inserted.
///
/// `budget` carries the deadline: every value checked spends from it and every pattern match
/// spends per scalar, so a walk stops (throwing ``ValidationDeadlinePassed``) between values or
/// inside a long match soon after the deadline passes.
enum SchemaChecker {
    /// Checks `value` against `node`, appending violations (paths relative to `value`).
    /// Returns the value with defaults filled, or nil when it is unchanged.
    static func check(
        _ value: JSONValue, _ node: SchemaNode, _ violations: inout [SchemaViolation], _ budget: inout ValidationBudget
    ) throws(ValidationDeadlinePassed) -> JSONValue? {
        if node.isTrivial { return nil }
        try budget.spend(ValidationBudget.workPerValue)
        if node.rejectsEverything {
            violations.append(SchemaViolation(path: "", message: "is not allowed here (the schema is false)"))
            return nil
        }
        if !node.types.isEmpty, !node.types.admits(value) {
            violations.append(SchemaViolation(path: "", message: SchemaMessages.wrongType(node.typeNames, value)))
        }
        if node.checksValues { checkValue(value, node, &violations) }
        switch value {
        case .int, .double:
            if node.checksNumbers { checkNumber(value, node, &violations) }
        case .string(let string):
            if node.checksStrings { try checkString(string, node, &violations, &budget) }
        case .array(let elements):
            if node.checksArrays { return try checkArray(elements, node, &violations, &budget).map(JSONValue.array) }
        case .object(let object):
            if node.checksObjects { return try checkObject(object, node, &violations, &budget).map(JSONValue.object) }
        case .null, .bool:
            break
        }
        return nil
    }

    /// ``check(_:_:_:_:)`` with no deadline: for defaults checked while compiling, and for
    /// callers that bound nothing.
    static func check(_ value: JSONValue, _ node: SchemaNode, _ violations: inout [SchemaViolation]) -> JSONValue? {
        var unbounded = ValidationBudget(deadline: nil)
        do {
            return try check(value, node, &violations, &unbounded)
        } catch {
            preconditionFailure("a check without a deadline cannot run out of time")
        }
    }

    /// `enum` and `const`, kept out of line so the common path never copies their values.
    @inline(never)
    private static func checkValue(_ value: JSONValue, _ node: SchemaNode, _ violations: inout [SchemaViolation]) {
        if let options = node.enumValues, !options.contains(where: { JSONEquality.equal($0, value) }) {
            violations.append(SchemaViolation(path: "", message: SchemaMessages.notInEnum(options, value)))
        }
        if let constant = node.constValue, !JSONEquality.equal(constant, value) {
            violations.append(SchemaViolation(
                path: "", message: "must be exactly \(SchemaMessages.describe(constant)), got \(SchemaMessages.describe(value))"))
        }
    }

    private static func checkNumber(_ value: JSONValue, _ node: SchemaNode, _ violations: inout [SchemaViolation]) {
        if let minimum = node.minimum, JSONEquality.compareNumbers(value, minimum) < 0 {
            violations.append(SchemaViolation(
                path: "", message: "must be at least \(SchemaMessages.describe(minimum)), got \(SchemaMessages.describe(value))"))
        }
        if let maximum = node.maximum, JSONEquality.compareNumbers(value, maximum) > 0 {
            violations.append(SchemaViolation(
                path: "", message: "must be at most \(SchemaMessages.describe(maximum)), got \(SchemaMessages.describe(value))"))
        }
    }

    private static func checkString(
        _ string: String, _ node: SchemaNode, _ violations: inout [SchemaViolation], _ budget: inout ValidationBudget
    ) throws(ValidationDeadlinePassed) {
        if node.minLength != nil || node.maxLength != nil {
            // A scalar takes 1 to 4 UTF-8 bytes, and the byte count is O(1): most strings are
            // decided by it without counting scalars.
            let bytes = string.utf8.count
            var scalars: Int?
            func scalarCount() -> Int {
                if let scalars { return scalars }
                let count = string.unicodeScalars.count
                scalars = count
                return count
            }
            if let minimum = node.minLength, (bytes + 3) / 4 < minimum, scalarCount() < minimum {
                violations.append(SchemaViolation(
                    path: "", message: "must be at least \(SchemaMessages.characters(minimum)) long, got \(scalarCount())"))
            }
            if let maximum = node.maxLength, bytes > maximum, scalarCount() > maximum {
                violations.append(SchemaViolation(
                    path: "", message: "must be at most \(SchemaMessages.characters(maximum)) long, got \(scalarCount())"))
            }
        }
        if let pattern = node.pattern, try !pattern.matches(string, budget: &budget) {
            violations.append(SchemaViolation(
                path: "", message: "must match the pattern \(SchemaMessages.describe(.string(pattern.source))), got \(SchemaMessages.describe(.string(string)))"))
        }
    }

    private static func checkArray(
        _ elements: [JSONValue], _ node: SchemaNode, _ violations: inout [SchemaViolation], _ budget: inout ValidationBudget
    ) throws(ValidationDeadlinePassed) -> [JSONValue]? {
        if let minimum = node.minItems, elements.count < minimum {
            violations.append(SchemaViolation(
                path: "", message: "must have at least \(SchemaMessages.items(minimum)), got \(elements.count)"))
        }
        if let maximum = node.maxItems, elements.count > maximum {
            violations.append(SchemaViolation(
                path: "", message: "must have at most \(SchemaMessages.items(maximum)), got \(elements.count)"))
        }
        guard let items = node.items, !items.isTrivial else { return nil }
        var replaced: [JSONValue]?
        for index in elements.indices {
            let mark = violations.count
            if let filled = try check(elements[index], items, &violations, &budget) {
                if replaced == nil { replaced = elements }
                replaced![index] = filled
            }
            if violations.count > mark { SchemaPath.prefix(&violations, from: mark, index: index) }
        }
        return replaced
    }

    private static func checkObject(
        _ object: JSONObject, _ node: SchemaNode, _ violations: inout [SchemaViolation], _ budget: inout ValidationBudget
    ) throws(ValidationDeadlinePassed) -> JSONObject? {
        var members: [(key: String, value: JSONValue)]?
        var seen = SeenProperties()
        let given = object.members
        for index in given.indices {
            let mark = violations.count
            let filled: JSONValue?
            if let position = node.position(of: given[index].key, hint: index) {
                seen.insert(position)
                filled = try check(given[index].value, node.properties[position].schema, &violations, &budget)
            } else {
                switch node.additional {
                case .allowed:
                    filled = nil
                case .forbidden:
                    violations.append(SchemaViolation(path: "", message: SchemaMessages.notAllowed(node)))
                    filled = nil
                case .schema(let others):
                    filled = try check(given[index].value, others, &violations, &budget)
                }
            }
            if let filled {
                if members == nil { members = given }
                members![index].value = filled
            }
            if violations.count > mark { SchemaPath.prefix(&violations, from: mark, key: given[index].key) }
        }
        if node.looksForMissing {
            for position in node.properties.indices where !seen.contains(position) {
                let property = node.properties[position]
                if let filled = property.filledDefault {
                    if members == nil { members = given }
                    members!.append((key: property.name, value: filled))
                    if !property.defaultViolations.isEmpty {
                        let mark = violations.count
                        violations.append(contentsOf: property.defaultViolations)
                        SchemaPath.prefix(&violations, from: mark, key: property.name)
                    }
                } else if property.isRequired {
                    violations.append(SchemaViolation(path: SchemaPath.step(property.name), message: "is required"))
                }
            }
            for name in node.otherRequired where !given.contains(where: { JSONEquality.sameText($0.key, name) }) {
                violations.append(SchemaViolation(path: SchemaPath.step(name), message: "is required"))
            }
        }
        return members.map(JSONObject.init)
    }
}

/// Which of a schema's properties an object has: a bit each for the first 64, and an array
/// allocated only when a schema with more properties meets a member beyond them.
private struct SeenProperties {
    private var bits: UInt64 = 0
    private var more: [Bool]?

    @inline(__always)
    mutating func insert(_ position: Int) {
        if position < 64 {
            bits |= 1 << UInt64(position)
        } else {
            insertBeyond64(position)
        }
    }

    @inline(never)
    private mutating func insertBeyond64(_ position: Int) {
        if more == nil { more = Array(repeating: false, count: position + 1) }
        if more!.count <= position { more!.append(contentsOf: repeatElement(false, count: position + 1 - more!.count)) }
        more![position] = true
    }

    func contains(_ position: Int) -> Bool {
        if position < 64 { return bits & (1 << UInt64(position)) != 0 }
        guard let more, position < more.count else { return false }
        return more[position]
    }
}
