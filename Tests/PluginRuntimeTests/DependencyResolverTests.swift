import PluginDiscovery
import PluginHostCore
import PluginMetadata
import PluginRuntime
import Testing

@Suite("DependencyResolver: order, missing, versions, cycles")
struct DependencyResolverTests {
    @Test("a chain a → b → c is ordered c, b, a, with each plugin's direct dependency paths")
    func chainOrder() {
        let plan = DependencyResolver.plan([
            manifestOnly("org.a", dependencies: [("org.b", "^1.0.0")]),
            manifestOnly("org.b", dependencies: [("org.c", "^1.0.0")]),
            manifestOnly("org.c"),
        ])
        #expect(plan.orderIDs == ["org.c", "org.b", "org.a"])
        #expect(plan.dependencies["/plugins/org.a.so"] == ["/plugins/org.b.so"])
        #expect(plan.dependencies["/plugins/org.b.so"] == ["/plugins/org.c.so"])
        #expect(plan.dependencies["/plugins/org.c.so"] == [])
        #expect(plan.excluded.isEmpty)
    }

    @Test("independent plugins keep scan order; a dependent comes right after its last dependency")
    func tiesInScanOrder() {
        let plan = DependencyResolver.plan([
            manifestOnly("org.d", dependencies: [("org.z", ">=1.0.0")]),
            manifestOnly("org.x"),
            manifestOnly("org.z"),
            manifestOnly("org.y"),
        ])
        #expect(plan.orderIDs == ["org.x", "org.z", "org.d", "org.y"])
    }

    @Test("a dependency nobody provides is DEPENDENCY_MISSING, saying what to install")
    func missingDependency() {
        let plan = DependencyResolver.plan([manifestOnly("org.x", dependencies: [("org.y", "^1.0.0")])])
        #expect(plan.order.isEmpty)
        let problem = plan.problem("org.x")
        #expect(problem?.code == .dependencyMissing)
        #expect(problem?.file == "/plugins/org.x.so")
        #expect(problem?.message == "org.x needs org.y ^1.0.0, which is not installed; install it into a plugin directory or remove the dependency")
    }

    @Test("a dependency provided only by a rejected file is DEPENDENCY_MISSING naming that file and its error")
    func rejectedProvider() {
        let plan = DependencyResolver.plan([
            manifestOnly("org.x", dependencies: [("org.y", "^1.0.0")]),
            manifestOnly("org.y", rejected: true),
        ])
        #expect(plan.order.isEmpty)
        #expect(plan.excluded.count == 1)
        #expect(plan.problem("org.x")?.code == .dependencyMissing)
        #expect(plan.problem("org.x")?.message == "org.x needs org.y ^1.0.0, but its file /plugins/org.y.so was rejected (UNSAFE_PERMISSIONS); fix that file (`plugin-host scan` says why)")
    }

    @Test("DEPENDENCY_VERSION names the range, the installed version and the fix")
    func versionMessage() {
        let plan = DependencyResolver.plan([
            manifestOnly("org.x", dependencies: [("org.y", "^2.0.0")]),
            manifestOnly("org.y", version: "1.4.0"),
        ])
        #expect(plan.orderIDs == ["org.y"])
        #expect(plan.problem("org.x")?.code == .dependencyVersion)
        #expect(plan.problem("org.x")?.message == "org.x needs org.y ^2.0.0 but 1.4.0 is installed; install a release of org.y matching ^2.0.0 or relax the range")
    }

    static let ranges: [(range: String, installed: String, satisfied: Bool)] = [
        ("^1.2.0", "1.2.0", true), ("^1.2.0", "1.9.3", true), ("^1.2.0", "2.0.0", false), ("^1.2.0", "1.1.9", false),
        ("^0.2.0", "0.2.5", true), ("^0.2.0", "0.3.0", false),
        ("~1.2.0", "1.2.9", true), ("~1.2.0", "1.3.0", false), ("~1.2.3", "1.2.2", false),
        (">=1.4.0", "1.4.0", true), (">=1.4.0", "7.0.0", true), (">=1.4.0", "1.3.9", false),
        ("1.4.0", "1.4.0", true), ("1.4.0", "1.4.1", false), ("=1.4.0", "1.4.0", true),
    ]

    @Test("ranges ^, ~, >= and exact decide DEPENDENCY_VERSION", arguments: ranges)
    func rangeTable(_ row: (range: String, installed: String, satisfied: Bool)) {
        let plan = DependencyResolver.plan([
            manifestOnly("org.x", dependencies: [("org.y", row.range)]),
            manifestOnly("org.y", version: row.installed),
        ])
        if row.satisfied {
            #expect(plan.orderIDs == ["org.y", "org.x"])
            #expect(plan.excluded.isEmpty)
        } else {
            #expect(plan.orderIDs == ["org.y"])
            #expect(plan.problem("org.x")?.code == .dependencyVersion)
        }
    }

    @Test("an unparsable range (let through by a loose scan) is DEPENDENCY_VERSION, not a crash")
    func badRange() {
        let plan = DependencyResolver.plan([
            manifestOnly("org.x", dependencies: [("org.y", "1 - 2")]),
            manifestOnly("org.y"),
        ])
        #expect(plan.problem("org.x")?.code == .dependencyVersion)
        #expect(plan.problem("org.x")?.message == "org.x declares the range \"1 - 2\" for org.y, which is not a supported range; use ^, ~, >= or an exact version")
    }

    @Test("every member of a cycle gets DEPENDENCY_CYCLE naming the cycle from itself")
    func cycle() {
        let plan = DependencyResolver.plan([
            manifestOnly("org.a", dependencies: [("org.b", "^1.0.0")]),
            manifestOnly("org.b", dependencies: [("org.c", "^1.0.0")]),
            manifestOnly("org.c", dependencies: [("org.a", "^1.0.0")]),
            manifestOnly("org.free"),
        ])
        #expect(plan.orderIDs == ["org.free"])
        #expect(plan.excluded.map { $0.problem.code } == [.dependencyCycle, .dependencyCycle, .dependencyCycle])
        #expect(plan.problem("org.a")?.message == "org.a depends on itself through the cycle org.a → org.b → org.c → org.a; remove one of these dependencies")
        #expect(plan.problem("org.b")?.message == "org.b depends on itself through the cycle org.b → org.c → org.a → org.b; remove one of these dependencies")
        #expect(plan.problem("org.c")?.message == "org.c depends on itself through the cycle org.c → org.a → org.b → org.c; remove one of these dependencies")
    }

    @Test("a plugin that depends on itself is a cycle of one")
    func selfDependency() {
        let plan = DependencyResolver.plan([manifestOnly("org.a", dependencies: [("org.a", "^1.0.0")])])
        #expect(plan.problem("org.a")?.code == .dependencyCycle)
        #expect(plan.problem("org.a")?.message == "org.a depends on itself through the cycle org.a → org.a; remove one of these dependencies")
    }

    @Test("dependents of an excluded plugin are DEPENDENCY_NOT_LOADED, transitively, naming the root cause")
    func notLoadedTransitively() {
        let plan = DependencyResolver.plan([
            manifestOnly("org.e", dependencies: [("org.d", "^1.0.0")]),
            manifestOnly("org.d", dependencies: [("org.c", "^1.0.0")]),
            manifestOnly("org.c", dependencies: [("org.gone", "^1.0.0")]),
            manifestOnly("org.ok"),
        ])
        #expect(plan.orderIDs == ["org.ok"])
        #expect(plan.excluded.map { $0.plugin.manifest!.id } == ["org.e", "org.d", "org.c"])
        #expect(plan.problem("org.c")?.code == .dependencyMissing)
        #expect(plan.problem("org.d")?.code == .dependencyNotLoaded)
        #expect(plan.problem("org.d")?.message == "org.d is not loaded: its dependency org.c cannot load (DEPENDENCY_MISSING); fix org.c first")
        #expect(plan.problem("org.e")?.code == .dependencyNotLoaded)
        #expect(plan.problem("org.e")?.message == "org.e is not loaded: its dependency org.d cannot load because org.c cannot (DEPENDENCY_MISSING); fix org.c first")
    }

    @Test("a plugin that depends on a cycle is DEPENDENCY_NOT_LOADED, not part of the cycle")
    func dependentOfCycle() {
        let plan = DependencyResolver.plan([
            manifestOnly("org.user", dependencies: [("org.a", "^1.0.0")]),
            manifestOnly("org.a", dependencies: [("org.b", "^1.0.0")]),
            manifestOnly("org.b", dependencies: [("org.a", "^1.0.0")]),
        ])
        #expect(plan.order.isEmpty)
        #expect(plan.problem("org.user")?.code == .dependencyNotLoaded)
        #expect(plan.problem("org.user")?.message == "org.user is not loaded: its dependency org.a cannot load (DEPENDENCY_CYCLE); fix org.a first")
        #expect(plan.problem("org.a")?.code == .dependencyCycle)
        #expect(plan.problem("org.b")?.code == .dependencyCycle)
    }

    @Test("rejected plugins take no part in the plan")
    func rejectedIgnored() {
        let plan = DependencyResolver.plan([manifestOnly("org.bad", rejected: true), manifestOnly("org.good")])
        #expect(plan.orderIDs == ["org.good"])
        #expect(plan.excluded.isEmpty)
    }

    @Test("a chain 3 000 plugins deep is ordered without exhausting the stack")
    func deepChain() {
        let count = 3_000
        let plugins = (0..<count).map { index in
            manifestOnly("org.n\(index)", dependencies: index + 1 < count ? [("org.n\(index + 1)", "^1.0.0")] : [])
        }
        let plan = DependencyResolver.plan(plugins)
        #expect(plan.order.count == count)
        #expect(plan.order.first?.manifest?.id == "org.n\(count - 1)")
        #expect(plan.order.last?.manifest?.id == "org.n0")
    }

    @Test("a 3 000-plugin cycle is found without exhausting the stack")
    func deepCycle() {
        let count = 3_000
        let plugins = (0..<count).map { index in
            manifestOnly("org.n\(index)", dependencies: [("org.n\((index + 1) % count)", "^1.0.0")])
        }
        let plan = DependencyResolver.plan(plugins)
        #expect(plan.order.isEmpty)
        #expect(plan.excluded.count == count)
        #expect(plan.excluded.allSatisfy { $0.problem.code == .dependencyCycle })
        #expect(plan.problem("org.n0")?.message == "org.n0 depends on itself through the cycle org.n0 → org.n1 → org.n2 → org.n3 → … 2995 more … → org.n2999 → org.n0; remove one of these dependencies")
        #expect(plan.problem("org.n5")?.message.hasPrefix("org.n5 depends on itself through the cycle org.n5 → org.n6 → ") == true)
    }
}
