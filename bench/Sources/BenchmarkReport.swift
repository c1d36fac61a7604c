import PluginHostCore

/// One measured figure, printed beside its peer measured in the same run.
struct Figure {
    var name: String
    /// nil when the figure itself could not be measured in this run (the reason is then in
    /// `peer`, as for a skipped peer): the row stays, so a missing measurement is visible.
    var value: Double?
    var unit: String
    /// The goal as text (`≤ 20`), or nil.
    var goal: String?
    /// Whether the value meets its goal (nil when there is no goal).
    var meetsGoal: Bool?
    var peer: String?
    var peerValue: Double?

    /// value / peerValue: below 1 means faster than the peer.
    var ratio: Double? {
        guard let value, let peerValue, peerValue > 0 else { return nil }
        return value / peerValue
    }

    var json: JSONValue {
        [
            "name": .string(name), "value": value.map { .double(rounded($0)) } ?? .null, "unit": .string(unit),
            "goal": goal.map(JSONValue.string) ?? .null,
            "peer": peer.map(JSONValue.string) ?? .null,
            "peerValue": peerValue.map { .double(rounded($0)) } ?? .null,
            "ratio": ratio.map { .double(rounded($0)) } ?? .null,
        ]
    }
}

/// Three significant decimals are all a noisy 2-core machine can justify.
func rounded(_ value: Double) -> Double {
    guard value != 0 else { return 0 }
    let magnitude = max(0, 3 - Int(log10(abs(value)).rounded(.down)))
    let scale = pow(10.0, Double(min(magnitude, 6)))
    return (value * scale).rounded() / scale
}

/// Renders figures as the Markdown table BENCHMARKS.md keeps.
func markdownTable(_ figures: [Figure]) -> String {
    var lines = ["| figure | value | unit | goal | met | peer (same run) | peer value | ratio |",
                 "|---|---:|---|---|---|---|---:|---:|"]
    for f in figures {
        let met = f.meetsGoal.map { $0 ? "yes" : "**no**" } ?? ""
        let peerValue = f.peerValue.map { "\(rounded($0))" } ?? ""
        let ratio = f.ratio.map { "\(rounded($0))×" } ?? ""
        lines.append("| \(f.name) | \(f.value.map { "\(rounded($0))" } ?? "—") | \(f.unit) | \(f.goal ?? "") | \(met) | \(f.peer ?? "") | \(peerValue) | \(ratio) |")
    }
    return lines.joined(separator: "\n")
}

#if canImport(Glibc)
import Glibc
#endif
