import Testing

@Test("placeholder until the PluginLoaderTests suite lands") func placeholder() { #expect(Bool(true)) }
