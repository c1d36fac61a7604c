import Foundation
import PluginHostCore

/// Where the service keeps its state, as `--database` gives it: `sqlite:PATH` (or a plain
/// path), `postgres://user@host:port/db`, or by default the SQLite file
/// `$XDG_STATE_HOME/plugin-host/plugin-host.sqlite` (`~/.local/state/…` without it).
public enum StoreLocation: Sendable, Hashable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    /// The location `text` names, relative paths made absolute against `workingDirectory`;
    /// nil text: the default. `INVALID_ARGUMENT` for a URL of another scheme.
    public static func parse(
        _ text: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) throws(StoreError) -> StoreLocation {
        guard let text, !text.isEmpty else { return .sqlite(path: defaultSQLitePath(environment: environment)) }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") { return .postgres(url: text) }
        var path = text
        if text.hasPrefix("sqlite:") {
            path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
        } else if let colon = text.firstIndex(of: ":"), text[..<colon].allSatisfy(\.isLetter), text[colon...].hasPrefix("://") {
            throw StoreError(.invalidArgument, "--database \(text): unknown scheme `\(text[..<colon])`; use sqlite:PATH or postgres://user@host:port/db.")
        }
        guard !path.isEmpty else { throw StoreError(.invalidArgument, "--database sqlite: needs a file path, e.g. sqlite:state/plugin-host.sqlite.") }
        return .sqlite(path: path.hasPrefix("/") ? path : workingDirectory + "/" + path)
    }

    /// `$XDG_STATE_HOME/plugin-host/plugin-host.sqlite`, else `$HOME/.local/state/plugin-host/plugin-host.sqlite`.
    public static func defaultSQLitePath(environment: [String: String]) -> String {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/plugin-host/plugin-host.sqlite" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.local/state/plugin-host/plugin-host.sqlite"
    }

    /// Opens the store here (creating and migrating it as needed).
    public func open() async throws(StoreError) -> any ServiceStore {
        switch self {
        case .sqlite(let path): return try SQLiteStore(path: path)
        case .postgres(let url): return try await PostgresStore(url: url)
        }
    }

    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let url): url.replacingOccurrences(of: #"://([^:@/]+):[^@/]*@"#, with: "://$1:***@", options: .regularExpression)
        }
    }
}
