import PluginHostCore
import PluginTenancy
import Testing

@Suite("Strict data isolation: the tenant id in every filter")
struct DataIsolationTests {
    func apply(_ parameters: JSONValue, tenant: String = "acme") -> Result<JSONValue, Problem> {
        DataIsolation.apply(tenant: tenant, to: parameters)
    }

    func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }

    @Test("a top-level filter gets the tenant id, keeping its other members")
    func topLevelFilter() throws {
        let result = try apply(parse(#"{"table": "orders", "filter": {"status": "open"}}"#)).get()
        #expect(result == (try parse(#"{"table": "orders", "filter": {"status": "open", "tenantId": "acme"}}"#)))
    }

    @Test("an empty filter gets the tenant id")
    func emptyFilter() throws {
        #expect(try apply(parse(#"{"filter": {}}"#)).get() == (try parse(#"{"filter": {"tenantId": "acme"}}"#)))
    }

    @Test("filters nested in arrays and objects all get the tenant id")
    func nestedFilters() throws {
        let input = #"{"queries": [{"filter": {"a": 1}}, {"deep": {"more": [[{"filter": {}}]]}}], "x": {"filter": {"b": [1]}}}"#
        let expected = #"{"queries": [{"filter": {"a": 1, "tenantId": "acme"}}, {"deep": {"more": [[{"filter": {"tenantId": "acme"}}]]}}], "x": {"filter": {"b": [1], "tenantId": "acme"}}}"#
        #expect(try apply(parse(input)).get() == (try parse(expected)))
    }

    @Test("a filter inside a filter gets the tenant id at both levels, and so does every clause object")
    func filterInFilter() throws {
        let input = #"{"filter": {"filter": {"c": 1}, "or": [{"filter": {}}]}}"#
        let expected = #"{"filter": {"filter": {"c": 1, "tenantId": "acme"}, "or": [{"filter": {"tenantId": "acme"}, "tenantId": "acme"}], "tenantId": "acme"}}"#
        #expect(try apply(parse(input)).get() == (try parse(expected)))
    }

    @Test("a filter that already names the same tenant is left as it is")
    func sameTenant() throws {
        let input = try parse(#"{"filter": {"tenantId": "acme", "a": 1}}"#)
        #expect(try apply(input).get() == input)
    }

    @Test("a filter naming another tenant is TENANT_VIOLATION with the pointer")
    func otherTenant() throws {
        let problem = try apply(parse(#"{"queries": [{"filter": {}}, {"filter": {"tenantId": "globex"}}]}"#)).failure
        #expect(problem?.code == .tenantViolation)
        #expect(problem?.severity == .error)
        #expect(problem?.message == "The parameters set `/queries/1/filter/tenantId` to tenant \"globex\", but this execution runs for tenant acme with strict data isolation; remove that tenantId (the host adds the right one) or run as that tenant.")
    }

    @Test("a violation inside a filter inside a filter names the inner pointer")
    func innerViolation() throws {
        let problem = try apply(parse(#"{"filter": {"tenantId": "acme", "filter": {"tenantId": "other"}}}"#)).failure
        #expect(problem?.code == .tenantViolation)
        #expect(problem?.message.contains("`/filter/filter/tenantId`") == true)
    }

    @Test("a tenantId that is not a string is a violation, never overwritten", arguments: ["null", "1", "{}", "[\"acme\"]", "true"])
    func nonStringTenantID(value: String) throws {
        let problem = try apply(parse(#"{"filter": {"tenantId": \#(value)}}"#)).failure
        #expect(problem?.code == .tenantViolation)
        #expect(problem?.message.contains("`/filter/tenantId`") == true)
    }

    @Test("a look-alike tenant id in a filter is a violation", arguments: ["acme ", "ACME", "acme\u{200B}", "\u{FF41}cme"])
    func lookAlikeTenant(other: String) throws {
        let parameters: JSONValue = ["filter": ["tenantId": .string(other)]]
        #expect(apply(parameters).failure?.code == .tenantViolation)
    }

    @Test("a tenant id that Swift's == equates (Kelvin sign) is still a violation")
    func kelvinSign() {
        let parameters: JSONValue = ["filter": ["tenantId": "\u{212A}1"]]
        #expect(apply(parameters, tenant: "K1").failure?.code == .tenantViolation)
    }

    @Test("a filter that is a scalar, or an array without objects, is left untouched", arguments: [#""open""#, "null", "3", "true", "[]", #"["a", 1]"#])
    func nonObjectFilter(value: String) throws {
        let input = try parse(#"{"filter": \#(value)}"#)
        #expect(try apply(input).get() == input)
    }

    @Test("every object in an array of filters gets the tenant id")
    func arrayOfFilters() throws {
        let result = try apply(parse(#"{"filter": [{"a": 1}, "x", {"b": 2}]}"#)).get()
        #expect(result == (try parse(#"{"filter": [{"a": 1, "tenantId": "acme"}, "x", {"b": 2, "tenantId": "acme"}]}"#)))
    }

    @Test("nested clauses of a filter get the tenant id too, so none can select another tenant's rows")
    func nestedClauses() throws {
        let result = try apply(parse(#"{"filter": {"$or": [{"owner": "x"}, {"$and": [{"y": 1}]}]}}"#)).get()
        #expect(result == (try parse(
            #"{"filter": {"$or": [{"owner": "x", "tenantId": "acme"}, {"$and": [{"y": 1, "tenantId": "acme"}], "tenantId": "acme"}], "tenantId": "acme"}}"#)))
    }

    @Test("another tenant named inside a nested clause is TENANT_VIOLATION with its pointer")
    func nestedViolation() throws {
        let problem = try #require(apply(parse(#"{"filter": {"$or": [{"tenantId": "evil"}]}}"#)).failure)
        #expect(problem.code == .tenantViolation)
        #expect(problem.message.contains("`/filter/$or/0/tenantId`"), "\(problem.message)")
    }

    @Test("a filter inside an array filter is still a filter")
    func filterInsideArrayFilter() throws {
        let result = try apply(parse(#"{"filter": [{"filter": {}}]}"#)).get()
        #expect(result == (try parse(#"{"filter": [{"filter": {"tenantId": "acme"}, "tenantId": "acme"}]}"#)))
    }

    @Test("the key is exactly `filter`: other spellings are not filters", arguments: ["Filter", "filters", "FILTER", " filter"])
    func otherSpellings(key: String) throws {
        let input: JSONValue = .object(JSONObject([(key: key, value: ["a": 1] as JSONValue)]))
        #expect(try apply(input).get() == input)
    }

    @Test("parameters without a filter come back unchanged")
    func noFilter() throws {
        let input = try parse(#"{"a": [1, {"b": "filter"}], "c": {"d": null}}"#)
        #expect(try apply(input).get() == input)
        #expect(try apply(.array([1, 2])).get() == .array([1, 2]))
        #expect(try apply("filter").get() == "filter")
    }

    @Test("a key with / or ~ is escaped in the pointer")
    func pointerEscaping() throws {
        let problem = try apply(parse(#"{"a/b": {"c~d": {"filter": {"tenantId": "x"}}}}"#)).failure
        #expect(problem?.message.contains("`/a~1b/c~0d/filter/tenantId`") == true)
    }

    @Test("a policy with isolation none passes parameters through; strict injects")
    func policyIsolate() throws {
        let input = try parse(#"{"filter": {}}"#)
        #expect(try TenantPolicy(tenantID: "acme").isolate(parameters: input).get() == input)
        let strict = TenantPolicy(tenantID: "acme", dataIsolation: .strict)
        #expect(try strict.isolate(parameters: input).get() == (try parse(#"{"filter": {"tenantId": "acme"}}"#)))
    }
}
