import PluginHostCore
import PluginMetadata
import PluginRuntime

/// Checks a workflow before it runs (`plugin-host validate`), reporting every problem at once.
///
/// Without a catalog it checks what needs no plugins: the shape, the graph (names,
/// connections, cycles, `$ref`s) and that node type names are canonical. With the host's
/// ``NodeCatalog`` it also checks, per node, that the type exists and the tenant may use it,
/// the `typeVersion`, the parameters and the recovery settings.
///
/// Parameters holding `$ref`s are validated too, except at and inside each `$ref`: its value
/// exists only at run time (and is validated then, with the rest), but every other parameter
/// can be checked now. A `$ref` object stands in for its value, so a required parameter given
/// by a `$ref` is present.
public struct WorkflowValidator: Sendable {
    public var catalog: (any NodeCatalog)?
    /// The tenant whose policy decides which node types are allowed; nil for none.
    public var tenant: String?

    public init(catalog: (any NodeCatalog)? = nil, tenant: String? = nil) {
        self.catalog = catalog
        self.tenant = tenant
    }

    /// Validates a parsed workflow, its shape problems first.
    public func validate(_ parsed: ParsedWorkflow) -> WorkflowValidationReport {
        var report = validate(parsed.workflow)
        report.problems.insert(contentsOf: parsed.problems, at: 0)
        return report
    }

    /// Validates a workflow model.
    public func validate(_ workflow: Workflow) -> WorkflowValidationReport {
        let graph = WorkflowGraph(workflow)
        var problems: [Problem] = []
        if let catalog { problems += catalog.validateRecovery(settings: workflow.settings) }
        problems += graph.structureProblems()
        var entries = CatalogEntries()
        for (index, node) in workflow.nodes.enumerated() {
            problems += nodeProblems(node, references: graph.references[index].map(\.reference), settings: workflow.settings, entries: &entries)
        }
        if case .failure(let problem) = RollbackStrategy.read(workflow.settings) { problems.append(problem) }
        for (index, node) in workflow.nodes.enumerated() where node.compensation != nil {
            problems += compensationProblems(node, at: index, graph: graph, entries: &entries)
        }
        return WorkflowValidationReport(problems: problems)
    }

    /// A node's `compensation`, checked like a node: its shape (`COMPENSATION_INVALID`), its
    /// node type and the tenant's right to it, its parameters against the type's schema (except
    /// at `$ref`s), its retry policy, and that each `$ref` names the node itself or an ancestor
    /// (`REF_NOT_UPSTREAM`): a compensation runs after the node, so those outputs exist.
    private func compensationProblems(_ node: WorkflowNode, at index: Int, graph: WorkflowGraph, entries: inout CatalogEntries) -> [Problem] {
        let declaration: CompensationDeclaration
        switch CompensationDeclaration.read(node, pointer: "/nodes/\(index)") {
        case .success(let read?): declaration = read
        case .success(nil): return []
        case .failure(let problem): return [problem]
        }
        var problems: [Problem] = []
        let scan = ParameterReferenceScan(parameters: declaration.parameters)
        for bad in scan.malformed {
            problems.append(Problem(
                .compensationInvalid, .error,
                "Node `\(node.name)`'s compensation has a malformed $ref at parameter \(bad.path.isEmpty ? "(root)" : bad.path): \(bad.reason).",
                node: node.name))
        }
        var ancestors: Set<Int>?
        for reference in scan.references {
            guard let target = graph.index(of: reference.node) else {
                problems.append(Problem(
                    .refNotUpstream, .error,
                    "Node `\(node.name)`'s compensation refers to \"\(reference.text)\", but no node is named `\(reference.node)`; refer to the node itself or one upstream of it.",
                    node: node.name))
                continue
            }
            if target == index { continue }
            if ancestors == nil { ancestors = graph.ancestors(of: index) }
            if ancestors?.contains(target) != true {
                problems.append(Problem(
                    .refNotUpstream, .error,
                    "Node `\(node.name)`'s compensation refers to \"\(reference.text)\", but `\(reference.node)` is not upstream of `\(node.name)`; refer to the node itself or one upstream of it.",
                    node: node.name))
            }
        }
        let stand = declaration.node(named: node.name)
        if check(nodeType: declaration.type, of: node, role: "is undone by", into: &problems, entries: &entries) != nil {
            problems += parameterProblems(stand, references: scan.references).map { problem in
                var problem = problem
                let plain = "Node `\(node.name)`:"
                if problem.message.hasPrefix(plain) {
                    problem.message = "Node `\(node.name)`'s compensation:" + problem.message.dropFirst(plain.count)
                }
                return problem
            }
        }
        if let catalog {
            problems += catalog.validateRecovery(node: stand, settings: WorkflowSettings()).map { problem in
                var problem = attributed(problem, to: node)
                problem.code = problem.code == .recoveryInvalid ? .compensationInvalid : problem.code
                problem.message = "In the compensation of node `\(node.name)`: " + problem.message
                return problem
            }
        }
        return problems
    }

    /// The catalog's answers by node type, asked once per type in one validation: a
    /// workflow of a million nodes has a handful of types, and each answer resolves the
    /// tenant's policy and looks the type up under the host's lock.
    private struct CatalogEntries {
        var byNodeType: [String: NodeCatalogEntry] = [:]
    }

    private func nodeProblems(_ node: WorkflowNode, references: [ParameterReference], settings: WorkflowSettings, entries: inout CatalogEntries) -> [Problem] {
        var problems: [Problem] = []
        // An empty type was reported by the parser already.
        if !node.type.isEmpty, let descriptor = check(nodeType: node.type, of: node, role: "has type", into: &problems, entries: &entries) {
            if !descriptor.supportedVersions.contains(node.typeVersion) {
                let supported = descriptor.supportedVersions.map(String.init).joined(separator: ", ")
                problems.append(Problem(
                    .typeVersionUnsupported, .error,
                    "Node `\(node.name)` has typeVersion \(node.typeVersion), but \(node.type) supports \(supported.isEmpty ? "none" : supported); set typeVersion to one of those.",
                    node: node.name
                ))
            }
            problems += parameterProblems(node, references: references)
        }
        if case .string(let fallback)? = node.fallbackNodeType, !fallback.isEmpty {
            _ = check(nodeType: fallback, of: node, role: "falls back to", into: &problems, entries: &entries)
        }
        if let catalog {
            problems += catalog.validateRecovery(node: node, settings: settings).map { attributed($0, to: node) }
        }
        return problems
    }

    /// Reports an unknown, malformed or disallowed node type; returns its descriptor when usable.
    private func check(
        nodeType: String, of node: WorkflowNode, role: String, into problems: inout [Problem], entries: inout CatalogEntries
    ) -> NodeDescriptor? {
        var entry: NodeCatalogEntry? = nil
        if let catalog {
            if let known = entries.byNodeType[nodeType] {
                entry = known
            } else {
                entry = catalog.describe(nodeType: nodeType, tenant: tenant)
                entries.byNodeType[nodeType] = entry
            }
        }
        guard ManifestNames.isValidNodeType(nodeType) else {
            var message = "Node `\(node.name)` \(role) `\(nodeType)`, which is not a node type name (lowercase ASCII such as \"math.add\")"
            if case .notFound(let suggestions)? = entry, !suggestions.isEmpty {
                message += "; did you mean \(suggestions.joined(separator: " or "))?"
            } else {
                message += "; fix the name."
            }
            problems.append(Problem(.nodeTypeNotFound, .error, message, node: node.name))
            return nil
        }
        switch entry {
        case nil:
            return nil
        case .found(let descriptor)?:
            return descriptor
        case .notFound(let suggestions)?:
            let hint = suggestions.isEmpty
                ? "check the name or load the plugin that provides it."
                : "did you mean \(suggestions.joined(separator: " or "))?"
            problems.append(Problem(
                .nodeTypeNotFound, .error, "Node `\(node.name)` \(role) `\(nodeType)`, which no loaded plugin provides; \(hint)", node: node.name
            ))
            return nil
        case .disallowed(let problem)?:
            problems.append(attributed(problem, to: node))
            return nil
        }
    }

    private func parameterProblems(_ node: WorkflowNode, references: [ParameterReference]) -> [Problem] {
        guard let catalog else { return [] }
        let violations = catalog.validateParameters(nodeType: node.type, parameters: node.parameters)
        guard !violations.isEmpty else { return [] }
        // A set of the `$ref` paths, each violation checked by its own prefixes: a scan of every
        // reference per violation was quadratic (100 000 `$ref`s in one array, each a
        // violation of "items are strings", took minutes).
        let referencePaths = Set(references.map(\.path))
        return violations.compactMap { violation in
            if !referencePaths.isEmpty && Self.isAtOrInside(violation.path, anyOf: referencePaths) { return nil }
            let subject = violation.path.isEmpty ? "parameters" : "parameter \(violation.path)"
            return Problem(
                .validationFailed, .error,
                "Node `\(node.name)`: \(subject) \(violation.message) (schema of \(node.type)).",
                node: node.name
            )
        }
    }

    /// Whether the JSON pointer `path` is one of `paths` or inside one (a prefix ending at a
    /// `/` of `path`); O(length of `path`) set lookups.
    static func isAtOrInside(_ path: String, anyOf paths: Set<String>) -> Bool {
        if paths.contains(path) { return true }
        var end = path.utf8.endIndex
        while let slash = path.utf8[..<end].lastIndex(of: UInt8(ascii: "/")) {
            if paths.contains(String(path[..<slash])) { return true }
            end = slash
        }
        return false
    }

    /// The catalog's problem, attributed to the workflow node (its name, not its type).
    private func attributed(_ problem: Problem, to node: WorkflowNode) -> Problem {
        var copy = problem
        copy.node = node.name
        return copy
    }
}
