import Foundation
import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import PluginRuntime
import PluginTenancy

/// A host over the isolation test plugins whose calls all run in worker processes.
func isolatedHost(
    limits: ResourceLimits = IsolationOptions.defaultLimits, policy: TenantPolicySet? = nil, failureThreshold: Int = 1_000,
    directories: [String]? = nil, initTimeout: Duration = .seconds(5), quarantineFile: String? = nil,
    maximumWorkers: Int = 4
) throws -> PluginHost {
    let paths = try directories ?? [IsolationPlugins.directory()]
    return PluginHost(configuration: HostConfiguration(
        directories: paths.map { SearchDirectory(path: $0) }, quarantineFile: quarantineFile,
        initOptions: InitOptions(timeout: initTimeout), policy: policy, logger: testLogger,
        circuitBreaker: CircuitBreaker.Configuration(failureThreshold: failureThreshold, coolDownMs: 60_000),
        clock: ManualClock(),
        isolation: IsolationOptions(
            mode: .process, limits: limits, workerExecutable: IsolationPlugins.worker, maximumWorkers: maximumWorkers)))
}
