import Foundation

/// C plugins that make the plugin contract visible to tests: when `init` and `shutdown` run,
/// and what a plugin's `set_error` code becomes.
extension CPluginBuilder {
    /// A plugin that appends `init ID` and `shutdown ID` lines to `journal` (an absolute path)
    /// and echoes its parameters. `dependsOn` makes it depend on another plugin id (`^1.0.0`),
    /// so the order of shutdowns can be checked.
    public static func lifecycleRecorderSource(id: String, nodeType: String, journal: String, dependsOn: String? = nil) -> String {
        var metadata = validMetadata(id: id, nodeTypes: [nodeType])
        if let dependsOn {
            metadata = metadata.replacingOccurrences(of: "\"dependencies\":{}", with: "\"dependencies\":{\"\(dependsOn)\":\"^1.0.0\"}")
        }
        return """
        #include <plugin_host/plugin.h>
        #include <stdio.h>
        PH_PLUGIN_METADATA(\(cStringLiteral(metadata)));
        static void note(const char *what) {
            FILE *file = fopen(\(cStringLiteral(journal)), "a");
            if (file) { fprintf(file, "%s \(id)\\n", what); fclose(file); }
        }
        static ph_status rec_init(const ph_host_api *host, const char *config, void **state) {
            (void)host; (void)config; *state = 0; note("init"); return PH_OK;
        }
        static ph_status rec_execute(void *state, ph_call *call) {
            (void)state; call->set_output(call, call->params_json, call->params_len); return PH_OK;
        }
        static void rec_shutdown(void *state) { (void)state; note("shutdown"); }
        static const ph_plugin plugin = { sizeof(ph_plugin), 1, 0, PH_PLUGIN_METADATA_JSON, rec_init, rec_execute, rec_shutdown };
        PH_EXPORT const ph_plugin *ph_plugin_entry(void) { return &plugin; }
        """
    }

    /// A plugin whose node calls `set_error(call, value, "…")` with the `value` parameter as the
    /// code and then returns `PH_ERR_EXECUTION`, the generic failure.
    public static func setErrorCodeSource(id: String = "org.test.seterror", nodeType: String = "test.seterror") -> String {
        """
        #include <plugin_host/plugin.h>
        #include <plugin_host/params.h>
        PH_PLUGIN_METADATA(\(cStringLiteral(validMetadata(id: id, nodeTypes: [nodeType]))));
        static ph_status se_init(const ph_host_api *host, const char *config, void **state) {
            (void)host; (void)config; *state = 0; return PH_OK;
        }
        static ph_status se_execute(void *state, ph_call *call) {
            (void)state;
            int64_t code = 0;
            ph_json_get_int64(call->params_json, call->params_len, "value", &code);
            call->set_error(call, (ph_status)code, "failed on purpose");
            return PH_ERR_EXECUTION;
        }
        static void se_shutdown(void *state) { (void)state; }
        static const ph_plugin plugin = { sizeof(ph_plugin), 1, 0, PH_PLUGIN_METADATA_JSON, se_init, se_execute, se_shutdown };
        PH_EXPORT const ph_plugin *ph_plugin_entry(void) { return &plugin; }
        """
    }
}
