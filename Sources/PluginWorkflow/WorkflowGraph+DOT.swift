import PluginHostCore

extension WorkflowGraph {
    /// The workflow in Graphviz DOT (`validate --dot`), the same text for the same workflow.
    ///
    /// Nodes are `n0`, `n1`, … in file order (so names need no quoting as ids), labelled
    /// "Name\n(type)". Connections follow in connection order, labelled "output→input" only
    /// when either index is not 0. Then one dashed edge per distinct `$ref`, from the node
    /// referred to, labelled with the pointer. Connections and `$ref`s naming unknown nodes
    /// are left out (validation reports them).
    public func dot() -> String {
        var lines = [
            "digraph \(Self.quoted(workflow.name)) {",
            "  rankdir=LR;",
            "  node [shape=box];",
        ]
        for (index, node) in workflow.nodes.enumerated() {
            lines.append("  n\(index) [label=\(Self.quoted(node.name + "\n(" + node.type + ")"))];")
        }
        for edge in workflow.edges {
            guard let from = nameIndex.index(of: edge.from), let to = nameIndex.index(of: edge.to) else { continue }
            var line = "  n\(from) -> n\(to)"
            if edge.outputIndex != 0 || edge.inputIndex != 0 { line += " [label=\(Self.quoted("\(edge.outputIndex)→\(edge.inputIndex)"))]" }
            lines.append(line + ";")
        }
        for (index, nodeReferences) in references.enumerated() {
            var drawn: Set<UTF8Key> = []
            for resolved in nodeReferences {
                guard let target = resolved.target else { continue }
                let pointer = resolved.reference.pointer
                guard drawn.insert(UTF8Key("\(target)#\(pointer)")).inserted else { continue }
                lines.append("  n\(target) -> n\(index) [style=dashed, label=\(Self.quoted(pointer.isEmpty ? "#" : pointer))];")
            }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A DOT quoted string: quotes and backslashes escaped, line breaks as DOT's `\n`.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for character in text {
            switch character {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": break
            default: result.append(character)
            }
        }
        return result + "\""
    }
}
