import Testing

@Test("placeholder until the PluginWorkflowTests suite lands") func placeholder() { #expect(Bool(true)) }
