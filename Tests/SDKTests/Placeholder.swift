import Testing

@Test("placeholder until the SDKTests suite lands") func placeholder() { #expect(Bool(true)) }
