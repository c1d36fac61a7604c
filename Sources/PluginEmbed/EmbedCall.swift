import PluginHostCore
import PluginSDK

/// The frame every exported function runs in: a thrown ``Problem`` becomes the status from
/// embed.h's table and the error document in `*out_error`.
///
/// Exported functions validate their arguments by throwing, so no path can forget to fill the
/// error document or pick a status that disagrees with the code.
enum EmbedCall {
    static func run(error out: OutParameter, _ body: () throws(Problem) -> ph_status) -> ph_status {
        do {
            return try body()
        } catch {
            return fail(out, with: error)
        }
    }

    /// ``run(error:_:)`` on the live handle `host` (INVALID_ARGUMENT when it is not one), which
    /// stays alive until `body` returns: destroying it meanwhile only unlists it, so a call
    /// racing `ph_host_destroy` finishes on a live host, and the last handle's plugin shutdown
    /// (``HostHandle``'s deinit) waits for the calls still using it.
    static func run(
        _ host: OpaquePointer?, error out: OutParameter, _ body: (HostHandle) throws(Problem) -> ph_status
    ) -> ph_status {
        run(error: out) { () throws(Problem) -> ph_status in
            let handle = try HostHandle.resolve(host)
            return try withExtendedLifetime(handle) { () throws(Problem) -> ph_status in try body(handle) }
        }
    }

    /// Writes `problem`'s document to `out` and returns its status (for failures that are not
    /// thrown, such as a node that ran and failed).
    @discardableResult
    static func fail(_ out: OutParameter, with problem: Problem) -> ph_status {
        out.set(problem.errorDocument)
        return problem.code.embedStatus
    }
}
