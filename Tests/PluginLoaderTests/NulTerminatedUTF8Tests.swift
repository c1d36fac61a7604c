import PluginLoader
import Testing

@Suite("NulTerminatedUTF8 prepares C strings once")
struct NulTerminatedUTF8Tests {
    @Test("count excludes the terminating NUL and the C view ends with one")
    func countAndTerminator() {
        let text = NulTerminatedUTF8("héllo")
        #expect(text.count == 6)
        #expect(text.bytes == Array("héllo".utf8))
        text.withCString { pointer, length in
            #expect(length == 6)
            #expect(pointer[6] == 0)
            #expect(String(cString: pointer) == "héllo")
        }
    }

    @Test("bytes with NULs inside keep their full length")
    func interiorNul() {
        let text = NulTerminatedUTF8(bytes: [0x61, 0, 0x62])
        #expect(text.count == 3)
        #expect(text.bytes == [0x61, 0, 0x62])
        text.withCString { pointer, length in
            #expect(length == 3)
            #expect(pointer[3] == 0)
        }
    }

    @Test("the shared empty values are an empty string and []")
    func sharedValues() {
        #expect(NulTerminatedUTF8.empty.count == 0)
        #expect(NulTerminatedUTF8.empty.description == "")
        #expect(NulTerminatedUTF8.emptyArray.description == "[]")
        #expect(NulTerminatedUTF8("[]") == .emptyArray)
    }
}

@Suite("PluginLogLevel maps PH_LOG_* values")
struct PluginLogLevelTests {
    @Test("documented values map one to one; others clamp to the nearest end")
    func clamping() {
        #expect(PluginLogLevel.allCases.map { PluginLogLevel(clamping: $0.rawValue) } == PluginLogLevel.allCases)
        #expect(PluginLogLevel(clamping: -1) == .debug)
        #expect(PluginLogLevel(clamping: Int32.min) == .debug)
        #expect(PluginLogLevel(clamping: 4) == .error)
        #expect(PluginLogLevel(clamping: Int32.max) == .error)
    }
}
