extension SearchDirectory {
    /// A search that matches exactly one file: its directory, with a pattern that matches only
    /// its name (glob characters escaped). Lets `inspect FILE` reuse every check a directory
    /// scan makes (file type, permissions, the ELF and metadata checks).
    public static func singleFile(_ path: String) -> SearchDirectory {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        var pattern = ""
        for character in name {
            if "*?[]\\".contains(character) { pattern.append("\\") }
            pattern.append(character)
        }
        return SearchDirectory(path: directory, patterns: [pattern])
    }
}
