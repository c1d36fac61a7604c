import Testing

@Test("placeholder until the PluginRuntimeTests suite lands") func placeholder() { #expect(Bool(true)) }
