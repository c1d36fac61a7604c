#if canImport(Glibc)
import PluginHostCore
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging
import PluginSDK
import Synchronization

/// The host as one plugin sees it: the `ph_host_api` handed to its `init`, and what the
/// callbacks in that table need (who is calling, where its logs go, its init error).
///
/// The plugin may keep the `ph_host_api` pointer and call it from any thread until the
/// process ends (plugins are never unloaded), so the table, this object and the
/// `ph.host-info/1` strings are allocated once and deliberately never freed.
final class PluginHostContext: Sendable {
    let logger: Logger
    /// What the plugin passed to `set_init_error` during the current `init`.
    let initError = Locked<String?>(nil)
    /// The `ph.host-info/1` table. Written once in `init`, read-only afterwards, never freed.
    nonisolated(unsafe) let hostInfo: UnsafeMutablePointer<ph_ext_host_info>
    /// The plugin's `ph_host_api`. Written once in `init`, read-only afterwards, never freed.
    nonisolated(unsafe) let hostAPI: UnsafeMutablePointer<ph_host_api>

    init(path: String, logger: Logger) {
        self.logger = logger
        hostInfo = .allocate(capacity: 1)
        hostInfo.initialize(to: ph_ext_host_info(
            struct_size: UInt32(MemoryLayout<ph_ext_host_info>.size),
            host_version: UnsafePointer(strdup(PluginHostVersion.current)),
            plugin_path: UnsafePointer(strdup(path))
        ))
        hostAPI = .allocate(capacity: 1)
        hostAPI.initialize(to: ph_host_api(
            struct_size: UInt32(MemoryLayout<ph_host_api>.size),
            abi_major: ABIVersionBits.hostMajor,
            abi_minor: ABIVersionBits.hostMinor,
            host_data: nil,
            get_extension: hostGetExtension,
            log: hostLog,
            set_init_error: hostSetInitError
        ))
        // The table holds one strong reference forever: the plugin may call back at any time.
        hostAPI.pointee.host_data = Unmanaged.passRetained(self).toOpaque()
    }

    /// The context behind a `ph_host_api` this host made.
    static func from(_ host: UnsafePointer<ph_host_api>?) -> PluginHostContext? {
        guard let data = host?.pointee.host_data else { return nil }
        return Unmanaged<PluginHostContext>.fromOpaque(data).takeUnretainedValue()
    }
}

/// The host ABI as the `uint16_t` fields of `ph_host_api` want it.
private enum ABIVersionBits {
    static let hostMajor = UInt16(PH_ABI_VERSION_MAJOR)
    static let hostMinor = UInt16(PH_ABI_VERSION_MINOR)
}

/// `ph_host_api.get_extension`: the services this host offers, by versioned name. [thread-safe]
private func hostGetExtension(
    _ host: UnsafePointer<ph_host_api>?, _ name: UnsafePointer<CChar>?
) -> UnsafeRawPointer? {
    guard let name, let context = PluginHostContext.from(host) else { return nil }
    if strcmp(name, PH_EXT_HOST_INFO) == 0 { return UnsafeRawPointer(context.hostInfo) }
    return nil
}

/// `ph_host_api.log`: forwards to the plugin's `Logger`, copying the message. [thread-safe]
private func hostLog(_ host: UnsafePointer<ph_host_api>?, _ level: Int32, _ message: UnsafePointer<CChar>?) {
    guard let message, let context = PluginHostContext.from(host) else { return }
    let text = copyString(message)
    context.logger.log(level: PluginLogLevel(clamping: level).loggerLevel, "\(text)")
}

/// `ph_host_api.set_init_error`: remembers why init is failing (the last call wins).
private func hostSetInitError(_ host: UnsafePointer<ph_host_api>?, _ message: UnsafePointer<CChar>?) {
    guard let context = PluginHostContext.from(host) else { return }
    let text = message.map(copyString)
    context.initError.withLock { $0 = text }
}

/// A C string from a plugin as a Swift string; invalid UTF-8 is replaced, never trusted.
func copyString(_ text: UnsafePointer<CChar>) -> String {
    String(decoding: UnsafeRawBufferPointer(start: text, count: strlen(text)), as: UTF8.self)
}

extension PluginLogLevel {
    /// The swift-log level a plugin's `PH_LOG_*` level maps to.
    var loggerLevel: Logger.Level {
        switch self {
        case .debug: .debug
        case .info: .info
        case .warning: .warning
        case .error: .error
        }
    }
}
