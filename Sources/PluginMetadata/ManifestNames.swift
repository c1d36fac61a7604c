/// The spelling rules for plugin ids and node types.
///
/// Both are checked byte by byte on UTF-8, accepting ASCII only, so no case folding, Unicode
/// look-alike, normalization or whitespace trick can make two names that print alike compare
/// differently (or the reverse) in the registry, a tenant policy or a log.
public enum ManifestNames {
    /// Reverse-DNS: two or more dot-separated labels, each `[a-z0-9][a-z0-9-]*` (e.g. `org.example.math`).
    public static func isValidPluginID(_ id: String) -> Bool {
        var labels = 0
        var labelLength = 0
        for byte in id.utf8 {
            if byte == UInt8(ascii: ".") {
                guard labelLength > 0 else { return false }
                labels += 1
                labelLength = 0
            } else if isLowerAlphanumeric(byte) || (byte == UInt8(ascii: "-") && labelLength > 0) {
                labelLength += 1
            } else {
                return false
            }
        }
        guard labelLength > 0 else { return false }
        return labels + 1 >= 2
    }

    /// `^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$`, e.g. `math.add` or `http.get-json`.
    public static func isValidNodeType(_ nodeType: String) -> Bool {
        var isFirst = true
        var segmentLength = 0
        for byte in nodeType.utf8 {
            if isFirst {
                guard byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") else { return false }
                isFirst = false
                segmentLength = 1
            } else if byte == UInt8(ascii: ".") {
                guard segmentLength > 0 else { return false }
                segmentLength = 0
            } else if isLowerAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") {
                segmentLength += 1
            } else {
                return false
            }
        }
        return !isFirst && segmentLength > 0
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
