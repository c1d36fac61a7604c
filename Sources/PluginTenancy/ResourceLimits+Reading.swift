import PluginHostCore

extension ResourceLimits {
    /// The keys of a `limits` object.
    public static let keys = ["memoryMb", "cpuSecondsPerCall", "outputBytes"]

    /// Reads a `limits` object — `{"memoryMb": N, "cpuSecondsPerCall": N, "outputBytes": N}`,
    /// each a whole number from 1 to 2^31−1, each optional — as the policy file and the embed
    /// options write it. `base` is the object's JSON pointer, named in every message. The
    /// limits are nil when there is any error.
    public static func read(_ value: JSONValue, at base: String) -> (limits: ResourceLimits?, errors: [String]) {
        guard case .object(let object) = value else {
            return (nil, ["`\(base)` is \(value.typeName); it must be an object like {\"memoryMb\": 512, \"cpuSecondsPerCall\": 10}."])
        }
        var errors: [String] = []
        var limits = ResourceLimits()
        for (key, field) in object {
            guard keys.contains(key) else {
                errors.append("`\(base)/\(escapePointerToken(key))` is not a limit; the limits are \(keys.joined(separator: ", ")) (check the spelling).")
                continue
            }
            guard case .int(let number) = field, number >= 1, number <= Int64(Int32.max) else {
                errors.append("`\(base)/\(key)` is \(JSONWriter.string(field)); it must be a whole number from 1 to \(Int32.max).")
                continue
            }
            switch key {
            case "memoryMb": limits.memoryMb = Int(number)
            case "cpuSecondsPerCall": limits.cpuSecondsPerCall = Int(number)
            default: limits.outputBytes = Int(number)
            }
        }
        return errors.isEmpty ? (limits, []) : (nil, errors)
    }
}
