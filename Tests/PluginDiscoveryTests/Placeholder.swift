import Testing

@Test("placeholder until the PluginDiscoveryTests suite lands") func placeholder() { #expect(Bool(true)) }
