import PluginHostCore
import PluginMetadata
import PluginRuntime
import PluginWorkflow
import Testing

@Suite("HostNodeCatalog")
struct HostNodeCatalogTests {
    @Test("a bundled node type is found with its supported versions")
    func found() throws {
        let catalog = HostNodeCatalog(host: try BundledHost.make())
        guard case .found(let descriptor) = catalog.describe(nodeType: "math.add", tenant: nil) else {
            Issue.record("math.add not found")
            return
        }
        #expect(descriptor.nodeType == "math.add")
        #expect(descriptor.supportedVersions == [1])
    }

    @Test("an unknown node type is not found, with the closest names as suggestions")
    func notFound() throws {
        let catalog = HostNodeCatalog(host: try BundledHost.make())
        guard case .notFound(let suggestions) = catalog.describe(nodeType: "math.ad", tenant: nil) else {
            Issue.record("math.ad should be unknown")
            return
        }
        #expect(suggestions.first == "math.add")
    }

    @Test("a tenant whose allow list leaves a node type out gets NODE_TYPE_DISABLED_FOR_TENANT")
    func disallowed() throws {
        let host = try BundledHost.make(policy: ["tenants": [["tenantId": "acme", "allowedNodeTypes": ["math.*"]]]])
        let catalog = HostNodeCatalog(host: host)
        guard case .disallowed(let problem) = catalog.describe(nodeType: "string.upper", tenant: "acme") else {
            Issue.record("string.upper should be disallowed for acme")
            return
        }
        #expect(problem.code == .nodeTypeDisabledForTenant)
        guard case .found = catalog.describe(nodeType: "math.mul", tenant: "acme") else {
            Issue.record("math.mul should be allowed for acme")
            return
        }
    }

    @Test("with a policy file, no tenant or an unlisted one without defaultPolicy is TENANT_UNKNOWN")
    func tenantUnknown() throws {
        let catalog = HostNodeCatalog(host: try BundledHost.make(policy: ["tenants": [["tenantId": "acme"]]]))
        for tenant in [nil, "globex"] as [String?] {
            guard case .disallowed(let problem) = catalog.describe(nodeType: "math.add", tenant: tenant) else {
                Issue.record("tenant \(tenant ?? "nil") should be unknown")
                continue
            }
            #expect(problem.code == .tenantUnknown)
        }
    }

    @Test("parameters are checked against the node's schema, every violation with its pointer")
    func parameters() throws {
        let catalog = HostNodeCatalog(host: try BundledHost.make())
        let violations = catalog.validateParameters(nodeType: "math.add", parameters: ["a": "two", "c": 1])
        #expect(Set(violations.map(\.path)) == ["/a", "/b", "/c"])
        #expect(catalog.validateParameters(nodeType: "math.add", parameters: ["a": 2, "b": 3]).isEmpty)
    }

    @Test("recovery problems point into the file by the node's position")
    func recoveryPointers() throws {
        let parsed = Workflow.parse(text: #"{"nodes": [{"name": "X", "type": "math.add"}, {"name": "Y", "type": "math.add", "retry": {"maximumAttempts": 0}}]}"#)
        let catalog = HostNodeCatalog(host: try BundledHost.make(), workflow: parsed.workflow)
        let problems = catalog.validateRecovery(node: parsed.workflow.nodes[1], settings: parsed.workflow.settings)
        #expect(problems.map(\.code) == [.recoveryInvalid])
        #expect(problems.first?.message.hasPrefix("`/nodes/1/retry/maximumAttempts`") == true)
    }

    @Test("a fallback type is checked like a node type: unknown is NODE_TYPE_NOT_FOUND on the node")
    func fallbackChecked() throws {
        let parsed = Workflow.parse(text: #"{"nodes": [{"name": "X", "type": "math.add", "parameters": {"a": 1, "b": 2}, "onError": "fallback", "fallbackNodeType": "math.addd"}]}"#)
        let report = HostWorkflows(host: try BundledHost.make(), tenant: nil).validate(parsed)
        #expect(report.problems.map(\.code) == [.nodeTypeNotFound])
        #expect(report.problems.first?.node == "X")
        #expect(report.problems.first?.message.contains("math.add") == true)
    }
}
