import Foundation
import PluginHostTestSupport
import Testing

/// `PH_HAS_FIELD`, the struct_size check plugin.h asks for before reading a field added in a
/// later minor version: true exactly when the struct is large enough to hold the whole field.
@Suite("PH_HAS_FIELD")
struct StructSizeTests {
    private static let program = Result {
        try CProgram(name: "has-field", source: """
            #include <plugin_host/plugin.h>
            #include <stdio.h>
            int main(void) {
                ph_ext_host_info info = {0};
                const ph_ext_host_info *none = NULL;
                size_t end = offsetof(ph_ext_host_info, plugin_path) + sizeof info.plugin_path;
                info.struct_size = (uint32_t)sizeof info;
                printf("%d", PH_HAS_FIELD(&info, ph_ext_host_info, plugin_path));
                info.struct_size = (uint32_t)end;
                printf("%d", PH_HAS_FIELD(&info, ph_ext_host_info, plugin_path));
                info.struct_size = (uint32_t)(end - 1);
                printf("%d", PH_HAS_FIELD(&info, ph_ext_host_info, plugin_path));
                info.struct_size = (uint32_t)offsetof(ph_ext_host_info, plugin_path);
                printf("%d", PH_HAS_FIELD(&info, ph_ext_host_info, host_version));
                printf("%d", PH_HAS_FIELD(&info, ph_ext_host_info, plugin_path));
                printf("%d\\n", PH_HAS_FIELD(none, ph_ext_host_info, plugin_path));
                return 0;
            }
            """)
    }

    @Test("whole field present → 1; one byte short, a field beyond the size, or a NULL pointer → 0")
    func boundaries() throws {
        #expect(try Self.program.get().run() == "110100\n")
    }
}
