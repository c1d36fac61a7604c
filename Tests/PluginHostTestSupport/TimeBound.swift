/// Bounds for the tests that prove a path is linear rather than quadratic: generous, because
/// the bug each one guards against took minutes where the bound allows seconds, and scaled for
/// sanitizer builds, whose instrumentation makes every step 5–15× slower (scripts/sanitize.sh).
public enum TimeBound {
    /// How much slower sanitizer builds run the same code.
    static let sanitizerFactor = 8.0

    /// `seconds` in an ordinary debug build, `seconds × 8` in a sanitizer build.
    public static func seconds(_ seconds: Double) -> Double {
        BuildProducts.pluginsAreSanitized ? seconds * sanitizerFactor : seconds
    }
}
