import ArgumentParser
import PluginHostCore
import PluginRuntime

/// The options of every command that executes nodes (`exec`, `run`, `rollback`): where plugins
/// are found and how they are read, loaded and initialized, the tenant and its policy, input
/// limits and isolation. One group, so the three build their host the same way, in one place.
struct ExecutingHostOptions: ParsableArguments {
    @Option(name: .customLong("plugin-dir"), help: "A plugin directory to search before PLUGIN_HOST_PATH and the default directories (repeatable).")
    var pluginDirectories: [String] = []

    @OptionGroup var mode: ModeOptions
    @OptionGroup var discovery: DiscoveryOptions
    @OptionGroup var initialization: InitOptionGroup
    @OptionGroup var tenancy: TenancyOptions
    @OptionGroup var inputLimits: InputLimitOptions
    @OptionGroup var isolation: IsolationOptionGroup

    /// The host's configuration from all of them; `isolation` when `--isolation` is not given.
    func configuration(isolation defaultMode: IsolationMode = .none) throws -> HostConfiguration {
        var configuration = discovery.configuration(directories: pluginDirectories, mode: mode.mode)
        configuration.initOptions = try initialization.options()
        inputLimits.apply(to: &configuration)
        try tenancy.apply(to: &configuration)
        isolation.apply(to: &configuration, defaultMode: defaultMode)
        return configuration
    }
}
