import Testing

@Test("placeholder until the PluginELFTests suite lands") func placeholder() { #expect(Bool(true)) }
