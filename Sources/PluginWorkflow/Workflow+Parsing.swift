import PluginHostCore

extension Workflow {
    /// Parses workflow JSON text; every shape problem is reported (`WORKFLOW_INVALID`).
    ///
    /// Text that is not JSON yields an empty workflow and one problem with the line and column.
    /// A key repeated in one JSON object is a problem too: the parser keeps the last value, which
    /// would silently drop, say, a node's first list of connections. A document past one of
    /// `limits` is refused whole (`WORKFLOW_TOO_LARGE`, `JSON_TOO_DEEP`): an empty workflow and
    /// that one problem, before any of it is read.
    public static func parse(text: String, limits: InputLimits = InputLimits()) -> ParsedWorkflow {
        parse(bytes: Array(text.utf8), limits: limits)
    }

    /// Parses a workflow document from its raw bytes, as read from a file or a C string (see
    /// ``parse(text:limits:)``).
    ///
    /// Bytes rather than a `String`: decoding to a `String` first would replace invalid UTF-8
    /// with U+FFFD and hide it, while the parser refuses it with the byte offset (JSON text is
    /// UTF-8), the same way for the CLI and the embed API.
    public static func parse(bytes: [UInt8], limits: InputLimits = InputLimits()) -> ParsedWorkflow {
        if let refused = refusal(byteCount: bytes.count, limits: limits) { return refused }
        let parsed: JSONParser.Result
        do {
            parsed = try JSONParser.parseReportingDuplicates(bytes, maximumDepth: limits.maximumJSONDepth)
        } catch {
            if error.exceededDepth != nil {
                return refused(Problem(.jsonTooDeep, .error, "The workflow \(limits.tooDeep("document")) (\(error))."))
            }
            return refused(Problem(.workflowInvalid, .error, "The workflow is not valid JSON (\(error)); fix the syntax there."))
        }
        var result = parse(json: parsed.value, limits: limits)
        let duplicates = parsed.duplicateKeys.map { pointer in
            Problem(.workflowInvalid, .error, "The key at \(pointer) appears twice in one object and only the last is used; merge the two.")
        }
        result.problems.insert(contentsOf: duplicates, at: 0)
        return result
    }

    /// Parses an already-parsed JSON value with the workflow shape (see ``Workflow``).
    ///
    /// Unknown keys are ignored (n8n files carry ids, positions and more). Only `main`
    /// connections are understood; any other connection kind is a problem rather than
    /// silently ignored, since ignoring it would change what runs. More nodes or connections
    /// than `limits` allow is `WORKFLOW_TOO_LARGE`, and none of them is read.
    public static func parse(json: JSONValue, limits: InputLimits = InputLimits()) -> ParsedWorkflow {
        if let problem = sizeProblem(json, limits: limits) { return refused(problem) }
        var reader = WorkflowReader()
        let workflow = reader.read(json)
        return ParsedWorkflow(workflow: workflow, problems: reader.problems)
    }

    /// The refusal of a document of `byteCount` bytes when that is more than
    /// `limits.maximumWorkflowBytes`, else nil: a reader that knows the size first (a file's)
    /// need not read it.
    public static func refusal(byteCount: Int, limits: InputLimits) -> ParsedWorkflow? {
        guard byteCount > limits.maximumWorkflowBytes else { return nil }
        return refused(tooLarge(byteCount, "bytes", limit: limits.maximumWorkflowBytes, field: "maximumWorkflowBytes"))
    }

    private static func refused(_ problem: Problem) -> ParsedWorkflow {
        ParsedWorkflow(workflow: Workflow(name: "", nodes: []), problems: [problem])
    }

    private static func tooLarge(_ count: Int, _ unit: String, limit: Int, field: String) -> Problem {
        Problem(.workflowTooLarge, .error, InputLimits.exceeded("The workflow", has: count, unit, limit: limit, field: field, advice: "split it") + ".")
    }

    /// The nodes and connections counted before anything is read: a count is cheap, reading a
    /// node (or reporting its problems) is not.
    private static func sizeProblem(_ json: JSONValue, limits: InputLimits) -> Problem? {
        guard let root = json.objectValue else { return nil }
        if let nodes = root["nodes"]?.arrayValue, nodes.count > limits.maximumWorkflowNodes {
            return tooLarge(nodes.count, "nodes", limit: limits.maximumWorkflowNodes, field: "maximumWorkflowNodes")
        }
        var connections = 0
        for (_, kinds) in root["connections"]?.objectValue ?? JSONObject() {
            for (_, outputs) in kinds.objectValue ?? JSONObject() {
                for targets in outputs.arrayValue ?? [] { connections += targets.arrayValue?.count ?? 0 }
            }
        }
        if connections > limits.maximumWorkflowConnections {
            return tooLarge(connections, "connections", limit: limits.maximumWorkflowConnections, field: "maximumWorkflowConnections")
        }
        return nil
    }
}

/// Reads the workflow shape, collecting every problem instead of stopping at the first.
private struct WorkflowReader {
    var problems: [Problem] = []

    mutating func fail(_ message: String, node: String? = nil) {
        problems.append(Problem(.workflowInvalid, .error, message, node: node))
    }

    mutating func read(_ json: JSONValue) -> Workflow {
        guard let root = json.objectValue else {
            fail("The workflow must be a JSON object with `nodes` and `connections`, not \(json.typeName).")
            return Workflow(name: "", nodes: [])
        }
        var name = ""
        switch root["name"] {
        case nil: break
        case .string(let text)?: name = text
        case let other?: fail("The workflow `name` must be a string, not \(other.typeName).")
        }
        let settings = readSettings(root["settings"])
        var nodes: [WorkflowNode] = []
        switch root["nodes"] {
        case nil:
            fail("The workflow has no `nodes` array; add one listing its nodes.")
        case .array(let items)?:
            nodes.reserveCapacity(items.count)
            for (position, item) in items.enumerated() {
                if let node = readNode(item, position: position) { nodes.append(node) }
            }
        case let other?:
            fail("The workflow's `nodes` must be an array of node objects, not \(other.typeName).")
        }
        let edges = readConnections(root["connections"])
        return Workflow(name: name, settings: settings, nodes: nodes, edges: edges)
    }

    mutating func readSettings(_ value: JSONValue?) -> WorkflowSettings {
        var settings = WorkflowSettings()
        guard let value else { return settings }
        guard let object = value.objectValue else {
            fail("The workflow `settings` must be an object, not \(value.typeName).")
            return settings
        }
        if let concurrency = object["concurrency"] {
            if let count = concurrency.intValue, count >= 1, count <= Int64(Int32.max) {
                settings.concurrency = Int(count)
            } else {
                fail("`settings.concurrency` must be a whole number of at least 1, not \(JSONWriter.string(concurrency)).")
            }
        }
        if let onError = object["onError"] { settings.onError = onError }
        settings.retry = object["retry"]
        settings.timeoutMs = object["timeoutMs"]
        settings.rollback = object["rollback"]
        return settings
    }

    mutating func readNode(_ item: JSONValue, position: Int) -> WorkflowNode? {
        guard let object = item.objectValue else {
            fail("Node \(position + 1) in `nodes` must be an object, not \(item.typeName).")
            return nil
        }
        guard case .string(let name)? = object["name"], !name.isEmpty else {
            fail("Node \(position + 1) in `nodes` has no `name` (a non-empty string); name it so connections can reach it.")
            return nil
        }
        var node = WorkflowNode(name: name, type: "")
        switch object["type"] {
        case .string(let type)? where !type.isEmpty: node.type = type
        case nil: fail("Node `\(name)` has no `type`; set it to a node type such as \"math.add\".", node: name)
        case let other?: fail("Node `\(name)` has a `type` that is not a non-empty string (\(JSONWriter.string(other))).", node: name)
        }
        if let version = object["typeVersion"] {
            if let number = version.intValue, number >= 1, number <= Int64(Int32.max) {
                node.typeVersion = Int(number)
            } else {
                fail("Node `\(name)` has a `typeVersion` of \(JSONWriter.string(version)); write a whole number of at least 1.", node: name)
            }
        }
        switch object["parameters"] {
        case nil: break
        case .object(let parameters)?: node.parameters = .object(parameters)
        case let other?: fail("Node `\(name)` has `parameters` that are \(other.typeName), not an object; wrap them in {}.", node: name)
        }
        node.retry = object["retry"]
        node.onError = object["onError"]
        node.fallbackNodeType = object["fallbackNodeType"]
        node.timeoutMs = object["timeoutMs"]
        node.compensation = object["compensation"]
        return node
    }

    mutating func readConnections(_ value: JSONValue?) -> [WorkflowEdge] {
        guard let value else { return [] }
        guard let sources = value.objectValue else {
            fail("The workflow's `connections` must be an object keyed by source node name, not \(value.typeName).")
            return []
        }
        var edges: [WorkflowEdge] = []
        for (source, kinds) in sources {
            guard let kinds = kinds.objectValue else {
                fail("`connections.\(source)` must be an object such as {\"main\": [[…]]}, not \(kinds.typeName).", node: source)
                continue
            }
            for (kind, outputs) in kinds {
                guard kind == "main" else {
                    fail("`connections.\(source)` has `\(kind)` connections; only `main` connections are supported.", node: source)
                    continue
                }
                guard let outputs = outputs.arrayValue else {
                    fail("`connections.\(source).main` must be an array of outputs, each an array of targets.", node: source)
                    continue
                }
                for (outputIndex, targets) in outputs.enumerated() {
                    readTargets(targets, source: source, outputIndex: outputIndex, into: &edges)
                }
            }
        }
        return edges
    }

    mutating func readTargets(_ targets: JSONValue, source: String, outputIndex: Int, into edges: inout [WorkflowEdge]) {
        // n8n writes `null` for an output with no connections.
        if targets == .null { return }
        guard let list = targets.arrayValue else {
            fail("`connections.\(source).main[\(outputIndex)]` must be an array of targets, not \(targets.typeName).", node: source)
            return
        }
        for (position, target) in list.enumerated() {
            // Only a problem names the place: formatting it for every edge was a string per edge.
            var place: String { "`connections.\(source).main[\(outputIndex)][\(position)]`" }
            guard let object = target.objectValue else {
                fail("\(place) must be an object such as {\"node\": \"Next\", \"type\": \"main\", \"index\": 0}.", node: source)
                continue
            }
            guard case .string(let destination)? = object["node"], !destination.isEmpty else {
                fail("\(place) has no `node` (the target node's name).", node: source)
                continue
            }
            if let kind = object["type"], kind != "main" {
                fail("\(place) has `type` \(JSONWriter.string(kind)); only \"main\" is supported.", node: source)
                continue
            }
            var inputIndex = 0
            if let index = object["index"] {
                guard let number = index.intValue, number >= 0, number <= Int64(Int32.max) else {
                    fail("\(place) has `index` \(JSONWriter.string(index)); write a whole number of at least 0.", node: source)
                    continue
                }
                inputIndex = Int(number)
            }
            edges.append(WorkflowEdge(from: source, to: destination, outputIndex: outputIndex, inputIndex: inputIndex))
        }
    }
}
