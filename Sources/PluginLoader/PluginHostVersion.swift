/// The host's own version, as plugins see it through the `ph.host-info/1` extension.
///
/// Distinct from the ABI version: the host may ship many releases implementing ABI 1.0, and a
/// plugin may want to log or work around a particular one.
public enum PluginHostVersion {
    /// This host's release, semantic versioning.
    public static let current = "0.1.0"
}
