import Foundation
import PluginHostCore
import PluginRuntime
import PluginWorkflow

/// The human form of a run: one row per node, then the run's status line.
///
/// The last column is what a person looks for first: the node's output (compact JSON) when it
/// succeeded, its error code and message when it did not, both cut to keep rows on one line.
struct RunReportView {
    let result: WorkflowRunResult
    let warnings: [Problem]

    static let cellLimit = 72

    func render() -> String {
        var table = TextTable(header: ["NODE", "TYPE", "STATUS", "ATTEMPTS", "DURATION", "RECOVERY", "OUTPUT / ERROR"])
        for (name, node) in result.nodes {
            let recovery = node.recoveryApplied.map { applied in
                applied == "fallback" ? "fallback → \(node.fallbackNodeType ?? "?")" : applied
            } ?? (node.attempts.count > 1 ? "retried" : "-")
            table.add([
                name, node.nodeType, node.status.rawValue, "\(node.attempts.count)",
                String(format: "%.1f ms", node.durationMs), recovery, Self.cut(detail(node)),
            ])
        }
        var lines = warnings.map(ProblemListView.line)
        lines.append(table.render())
        if let rollback = result.rollback { lines += Self.render(rollback) }
        let counts = Dictionary(grouping: result.nodes, by: { $0.result.status }).mapValues(\.count)
        let summary = [NodeStatus.success, .skipped, .error, .cancelled].compactMap { status in counts[status].map { "\($0) \(status.rawValue)" } }
        lines.append("")
        lines.append("run \(result.status.rawValue): \(result.nodes.count) nodes (\(summary.joined(separator: ", "))) in \(String(format: "%.1f", result.durationMs)) ms")
        return lines.joined(separator: "\n")
    }

    /// The rollback's rows: each compensation that ran (as a node row, under "UNDOES"), or for
    /// a manual rollback the plan and how to start it.
    static func render(_ rollback: RollbackResult) -> [String] {
        var lines = ["", "rollback (\(rollback.strategy.rawValue)): \(rollback.status.rawValue)"]
        if rollback.status == .planned {
            var plan = TextTable(header: ["STEP", "UNDOES", "TYPE", "AFTER", "PARAMETERS"])
            for (step, entry) in rollback.plan.enumerated() {
                plan.add(["\(step + 1)", entry.node, entry.type, entry.after.isEmpty ? "-" : entry.after.joined(separator: ", "),
                          cut(JSONWriter.string(entry.parameters))])
            }
            lines.append(plan.render())
            lines.append("run it later with: plugin-host rollback RESULT.json (the saved `run --json` document)")
            return lines
        }
        var table = TextTable(header: ["UNDOES", "TYPE", "STATUS", "ATTEMPTS", "DURATION", "OUTPUT / ERROR"])
        for (name, node) in rollback.compensations {
            table.add([name, node.nodeType, node.status.rawValue, "\(node.attempts.count)",
                       String(format: "%.1f ms", node.durationMs), cut(RunReportView.detail(node))])
        }
        lines.append(table.render())
        if !rollback.notUndone.isEmpty { lines.append("not undone: \(rollback.notUndone.joined(separator: ", "))") }
        return lines
    }

    private func detail(_ node: NodeResult) -> String { Self.detail(node) }

    private static func detail(_ node: NodeResult) -> String {
        if node.status == .success || node.status == .skipped {
            let text = node.output.map { JSONWriter.string($0) } ?? ""
            guard let error = node.error, node.recoveryApplied != nil else { return text }
            return "\(text)  (recovered from \(node.errorCode?.rawValue ?? "error"): \(error))"
        }
        let code = node.errorCode.map { "\($0.rawValue): " } ?? ""
        return code + (node.error ?? "failed")
    }

    /// `text` on one line, cut to ``cellLimit`` characters with an ellipsis.
    static func cut(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count <= cellLimit ? flat : String(flat.prefix(cellLimit - 1)) + "…"
    }
}
