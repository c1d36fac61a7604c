#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PluginHostCore
import PluginLoader
import PluginMetadata
import PluginSDK

// embed.h: creating and destroying handles, freeing returned strings, the version.
// Every exported function is `@c @implementation`: the compiler checks its Swift signature
// against the declaration in embed.h, so the header and the library cannot drift apart.

/// `"0.1.0 (ABI 1.0)"`, allocated once and never freed (embed.h: static storage).
// nonisolated(unsafe): written once by the global's thread-safe lazy initializer, only read after.
nonisolated(unsafe) private let versionText: UnsafeMutablePointer<CChar>? =
    CText.allocate(Array("\(PluginHostVersion.current) (ABI \(ABIVersion.host))".utf8))

@c @implementation
public func ph_host_create(
    _ optionsJSON: UnsafePointer<CChar>?, _ outHost: UnsafeMutablePointer<OpaquePointer?>?,
    _ outError: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> ph_status {
    let error = OutParameter(outError)
    outHost?.pointee = nil
    return EmbedCall.run(error: error) { () throws(Problem) -> ph_status in
        guard let outHost else {
            throw Problem(.invalidArgument, .error, "out_host is NULL; pass the address of a ph_host * to receive the handle")
        }
        let options = try EmbedOptions.parse(optionsJSON)
        // A host exists from now on: a plugin's exit() in this process ends it with status 70
        // and a line naming the plugin and node (installed once per process).
        PluginExitGuard.install(.embedded)
        outHost.pointee = HostHandle.register(HostHandle(options: options))
        return PH_OK
    }
}

@c @implementation
public func ph_host_destroy(_ host: OpaquePointer?) {
    HostHandle.unregister(host)
}

@c @implementation
public func ph_free(_ pointer: UnsafeMutableRawPointer?) {
    free(pointer)
}

@c @implementation
public func ph_version() -> UnsafePointer<CChar>? {
    UnsafePointer(versionText)
}
