import Testing

@Test("placeholder until the PluginTenancyTests suite lands") func placeholder() { #expect(Bool(true)) }
