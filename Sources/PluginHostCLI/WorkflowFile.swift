import ArgumentParser
import Foundation
import PluginHostCore
import PluginWorkflow

/// Reading the WORKFLOW argument of `validate` and `run`.
enum WorkflowFile {
    /// Parses the workflow file at `path` (shape problems are in the result, not thrown).
    ///
    /// A path that is not a readable regular file is a usage error (exit 2) with one line on
    /// stderr: there is no workflow to report on. Only regular files are opened, so a FIFO or
    /// a device named by mistake cannot hang the command.
    ///
    /// A file larger than `limits.maximumWorkflowBytes` is refused by its size, unread
    /// (`WORKFLOW_TOO_LARGE` in the result, so it is reported like any other problem).
    static func read(_ path: String, limits: InputLimits) throws -> ParsedWorkflow {
        try readVersioned(path, limits: limits).parsed
    }

    /// ``read(_:limits:)`` with the file's version for a run journal (``WorkflowDigest``), so
    /// a resume on an edited file is refused.
    static func readVersioned(_ path: String, limits: InputLimits) throws -> (parsed: ParsedWorkflow, version: String) {
        let absolute = Terminal.absolutePath(path)
        let attributes = try? FileManager.default.attributesOfItem(atPath: absolute)
        let type = attributes?[.type] as? FileAttributeType
        if type == .typeRegular, let size = (attributes?[.size] as? NSNumber)?.intValue,
           let refused = Workflow.refusal(byteCount: size, limits: limits) {
            return (refused, "")
        }
        // The file's `Data` is gone before parsing: only one copy of the text is held.
        let bytes: [UInt8]
        if type == .typeRegular, let data = FileManager.default.contents(atPath: absolute) {
            bytes = [UInt8](data)
        } else {
            let reason = type == nil ? "it does not exist or cannot be reached" : type == .typeRegular ? "it cannot be read" : "it is not a regular file"
            Terminal.error("FILE_UNREADABLE: cannot read the workflow file \(absolute): \(reason); check the path.")
            throw ExitCode(2)
        }
        // The raw bytes: invalid UTF-8 is the parser's error (with its offset), never repaired.
        return (Workflow.parse(bytes: bytes, limits: limits), WorkflowDigest.version(of: bytes))
    }
}

/// Prints validation problems for people: one line each, errors and warnings alike.
enum ProblemListView {
    /// `severity CODE [node]: message` lines, then `FILE: valid|invalid (…)`.
    static func render(_ report: WorkflowValidationReport, file: String, nodeCount: Int) -> String {
        var lines = report.problems.map(line)
        let errors = report.problems.filter { $0.severity == .error }.count
        let warnings = report.problems.count - errors
        let counts = "\(nodeCount) node\(nodeCount == 1 ? "" : "s"), \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
        lines.append("\(Terminal.displayPath(Terminal.absolutePath(file))): \(report.valid ? "valid" : "invalid") (\(counts))")
        return lines.joined(separator: "\n")
    }

    static func line(_ problem: Problem) -> String {
        let node = problem.node.map { " [\($0)]" } ?? ""
        return "\(problem.severity.rawValue) \(problem.code)\(node): \(problem.message)"
    }
}
