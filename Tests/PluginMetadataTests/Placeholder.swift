import Testing

@Test("placeholder until the PluginMetadataTests suite lands") func placeholder() { #expect(Bool(true)) }
