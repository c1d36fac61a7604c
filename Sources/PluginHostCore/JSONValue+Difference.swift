extension JSONValue {
    /// The JSON pointer of the first place where `self` and `other` differ ("" for the roots
    /// themselves), or nil when they are equal.
    ///
    /// For messages that must say *where* two documents disagree, such as a plugin's embedded
    /// metadata and its sidecar: formatting differences are not differences (both are parsed),
    /// and the pointer names the member to look at. Object members are visited in `self`'s
    /// order, then members only `other` has; arrays by index, a length difference at the first
    /// missing index.
    public func firstDifference(from other: JSONValue) -> String? {
        switch (self, other) {
        case (.object(let mine), .object(let theirs)):
            for member in mine.members {
                guard let value = theirs[member.key] else { return "/" + escapePointerToken(member.key) }
                if let inner = member.value.firstDifference(from: value) { return "/" + escapePointerToken(member.key) + inner }
            }
            if let extra = theirs.members.first(where: { mine[$0.key] == nil }) { return "/" + escapePointerToken(extra.key) }
            return nil
        case (.array(let mine), .array(let theirs)):
            for index in 0..<min(mine.count, theirs.count) {
                if let inner = mine[index].firstDifference(from: theirs[index]) { return "/\(index)" + inner }
            }
            return mine.count == theirs.count ? nil : "/\(min(mine.count, theirs.count))"
        default:
            return self == other ? nil : ""
        }
    }
}
