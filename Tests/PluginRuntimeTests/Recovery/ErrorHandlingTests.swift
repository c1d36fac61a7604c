import PluginHostCore
import Testing
@testable import PluginRuntime

@Suite("Recovery: error strategies")
struct RecoveryErrorHandlingTests {
    private func parse(_ node: JSONObject, inherited: ErrorStrategy = .fail, nodeType: String? = "math.add")
        -> (ErrorHandling?, [Problem])
    {
        ErrorHandling.parse(node: node, inherited: inherited, nodeType: nodeType, pointer: "/nodes/1")
    }

    @Test("a node without onError takes the workflow's strategy")
    func inheritsStrategy() {
        let (handling, problems) = parse(["name": "Add"], inherited: .skip)
        #expect(problems.isEmpty)
        #expect(handling == ErrorHandling(strategy: .skip))
    }

    @Test("the default strategy is fail")
    func defaultIsFail() {
        #expect(ErrorHandling() == ErrorHandling(strategy: .fail, fallbackNodeType: nil))
    }

    @Test("a node's onError overrides the workflow's", arguments: [ErrorStrategy.fail, .skip, .continue])
    func ownStrategy(strategy: ErrorStrategy) {
        let (handling, problems) = parse(["onError": .string(strategy.rawValue)], inherited: .continue)
        #expect(problems.isEmpty)
        #expect(handling == ErrorHandling(strategy: strategy))
    }

    @Test("fallback with a canonical fallbackNodeType")
    func fallback() {
        let (handling, problems) = parse(["onError": "fallback", "fallbackNodeType": "math.add-safe"])
        #expect(problems.isEmpty)
        #expect(handling == ErrorHandling(strategy: .fallback, fallbackNodeType: "math.add-safe"))
    }

    @Test("fallback without fallbackNodeType is refused at onError")
    func fallbackWithoutType() {
        let (handling, problems) = parse(["onError": "fallback"])
        #expect(handling == nil)
        #expect(problems == [Problem(.recoveryInvalid, .error, "`/nodes/1/onError` is \"fallback\" but the node has no fallbackNodeType: name the node type to run instead, or choose fail, skip or continue.")])
    }

    @Test("a fallbackNodeType that is not canonical is refused", arguments: ["Math.Add", "math..add", "", "math add"])
    func nonCanonicalType(name: String) {
        let (handling, problems) = parse(["onError": "fallback", "fallbackNodeType": .string(name)])
        #expect(handling == nil)
        #expect(problems == [Problem(.recoveryInvalid, .error, "`/nodes/1/fallbackNodeType` is \"\(name)\", not a canonical node type: give a lowercase name such as \"math.add-safe\".")])
    }

    @Test("a fallbackNodeType that is not a string is refused")
    func typeNotString() {
        let (handling, problems) = parse(["onError": "fallback", "fallbackNodeType": 7])
        #expect(handling == nil)
        #expect(problems.map(\.message) == ["`/nodes/1/fallbackNodeType` is 7, not a canonical node type: give a lowercase name such as \"math.add-safe\"."])
    }

    @Test("falling back to the node's own type is refused")
    func fallbackToItself() {
        let (handling, problems) = parse(["onError": "fallback", "fallbackNodeType": "math.add"])
        #expect(handling == nil)
        #expect(problems.map(\.message) == ["`/nodes/1/fallbackNodeType` is the node's own type \"math.add\", which would fail the same way: name a different node type."])
    }

    @Test("fallbackNodeType without fallback is a warning and is not kept")
    func unusedFallbackType() {
        let (handling, problems) = parse(["onError": "skip", "fallbackNodeType": "math.add-safe"])
        #expect(handling == ErrorHandling(strategy: .skip, fallbackNodeType: nil))
        #expect(problems == [Problem(.recoveryInvalid, .warning, "`/nodes/1/fallbackNodeType` \"math.add-safe\" is never used because onError is \"skip\": set onError to \"fallback\" or remove fallbackNodeType.")])
    }

    @Test("an unknown onError value is refused, listing the strategies")
    func unknownStrategy() {
        let (handling, problems) = parse(["onError": "retry"])
        #expect(handling == nil)
        #expect(problems.map(\.message) == ["`/nodes/1/onError` is \"retry\": use one of \"fail\", \"fallback\", \"skip\", \"continue\"."])
    }

    @Test("both halves wrong are reported together")
    func bothWrong() {
        let (handling, problems) = parse(["onError": "stop", "fallbackNodeType": "X"])
        #expect(handling == nil)
        #expect(problems.count == 2)
        #expect(problems.allSatisfy { $0.code == .recoveryInvalid && $0.severity == .error })
    }

    @Test("the workflow default accepts fail, skip and continue", arguments: [ErrorStrategy.fail, .skip, .continue])
    func workflowDefault(strategy: ErrorStrategy) {
        let (parsed, problems) = ErrorStrategy.parseWorkflowDefault(.string(strategy.rawValue), pointer: "/settings/onError")
        #expect(problems.isEmpty)
        #expect(parsed == strategy)
    }

    @Test("the workflow default refuses fallback (a fallback type fits one node)")
    func workflowDefaultFallback() {
        let (parsed, problems) = ErrorStrategy.parseWorkflowDefault("fallback", pointer: "/settings/onError")
        #expect(parsed == nil)
        #expect(problems.map(\.message) == ["`/settings/onError` is \"fallback\", which needs a fallbackNodeType per node: set onError \"fallback\" and fallbackNodeType on the nodes that have a fallback, and choose fail, skip or continue here."])
    }

    @Test("the workflow default refuses a non-string")
    func workflowDefaultWrongType() {
        let (parsed, problems) = ErrorStrategy.parseWorkflowDefault(["fail"], pointer: "/settings/onError")
        #expect(parsed == nil)
        #expect(problems.map(\.code) == [.recoveryInvalid])
    }

    @Test("recoveryApplied names the strategy, nil for fail")
    func recoveryApplied() {
        #expect(ErrorStrategy.fail.recoveryApplied == nil)
        #expect(ErrorStrategy.fallback.recoveryApplied == "fallback")
        #expect(ErrorStrategy.skip.recoveryApplied == "skip")
        #expect(ErrorStrategy.continue.recoveryApplied == "continue")
    }
}
