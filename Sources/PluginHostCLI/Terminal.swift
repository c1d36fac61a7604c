import Foundation
import PluginHostCore

/// Printing for people and for scripts, and the few process facts the CLI needs.
enum Terminal {
    /// Writes one line to stderr (errors are one actionable line each, with their code).
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Prints `value` as pretty JSON on stdout.
    /// Writes `value` as indented JSON and a newline to stdout, as bytes (a 10 000-node run's
    /// document is megabytes: no String of it is made).
    static func printJSON(_ value: JSONValue) {
        printJSON(bytes: JSONWriter.bytes(value, style: .pretty))
    }

    /// JSON text already written (``JSONStream``), and a newline, on stdout.
    static func printJSON(bytes json: [UInt8]) {
        fflush(nil)  // whatever `print` buffered goes first
        // The document, then the newline: appending it would copy a large document whole.
        for part in [json, [UInt8(ascii: "\n")]] {
            part.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = write(STDOUT_FILENO, raw.baseAddress! + offset, raw.count - offset)
                    if written > 0 { offset += written } else if written < 0 && errno == EINTR { continue } else { return }
                }
            }
        }
    }

    /// Whether stdout is a terminal (tables and progress) rather than a pipe or file.
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// The running executable's path (from /proc/self/exe), to find the bundled plugins beside it.
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// The bytes the user passed for `option`'s `value`, read from the raw argv.
    ///
    /// `CommandLine.arguments` (and so every parsed option) is decoded with invalid UTF-8
    /// replaced by U+FFFD, which would make a broken JSON argument look valid. A JSON option is
    /// therefore parsed from the argv bytes it came from (`--option VALUE` or `--option=VALUE`,
    /// the last one given, as the parser keeps), so the JSON parser refuses invalid UTF-8 the
    /// same way for an argument, a file and the embed API. Falls back to `value`'s own bytes.
    static func rawArgument(_ value: String, option: String) -> [UInt8] {
        func decoded(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
        let assignment = Array((option + "=").utf8)
        var found: [UInt8]? = nil
        var previous: [UInt8] = []
        for index in 1..<Int(CommandLine.argc) {
            guard let pointer = CommandLine.unsafeArgv[index] else { continue }
            let raw = Array(UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)))
            if String.sameUTF8(decoded(previous[...]), option), String.sameUTF8(decoded(raw[...]), value) {
                found = raw
            } else if raw.starts(with: assignment), String.sameUTF8(decoded(raw[assignment.count...]), value) {
                found = Array(raw[assignment.count...])
            }
            previous = raw
        }
        return found ?? Array(value.utf8)
    }

    /// `path` made absolute against the current directory, with `.` and `..` resolved.
    static func absolutePath(_ path: String) -> String {
        let base = FileManager.default.currentDirectoryPath
        let joined = path.hasPrefix("/") ? path : base + "/" + path
        return URL(fileURLWithPath: joined).standardizedFileURL.path
    }

    /// `path` relative to the current directory when it lies below it (shorter tables).
    static func displayPath(_ path: String) -> String {
        let base = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(base) ? String(path.dropFirst(base.count)) : path
    }
}

/// A plain-text table: left-aligned columns sized to their widest cell.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []

    mutating func add(_ row: [String]) { rows.append(row) }

    func render() -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}
