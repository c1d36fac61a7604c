/*
 * plugin_host/embed.h — run the plugin host inside another program (Python, Go, Rust, Node, C).
 *
 * Exported by libplugin_host.so. Every function takes and returns JSON text (UTF-8, NUL-
 * terminated) in the same shapes as the CLI's `--json` output, so whatever a script learns
 * from `plugin-host … --json` holds here too. The README's "Embedding" section documents each
 * document's shape and how to ship the library.
 *
 * Conventions for every function below:
 *
 * - Status: each returns a ph_status (status.h). PH_OK means the call did what it says;
 *   anything else comes with an error document in *out_error (when out_error is not NULL).
 *   The host never aborts the process over a bad argument: a NULL handle, a NULL required
 *   string, malformed JSON or a JSON value of the wrong shape is PH_ERR_INVALID_ARGUMENT.
 * - Error document: a JSON object {"code": "<stable code>", "message": "<one sentence>"}, plus
 *   "node" or "file" when the error concerns one. Codes are the host's stable problem codes
 *   (README, "Error codes"), e.g. INVALID_ARGUMENT, NODE_TYPE_NOT_FOUND, POLICY_INVALID.
 * - Status from a code: NODE_TYPE_NOT_FOUND and TENANT_UNKNOWN → PH_ERR_NOT_FOUND;
 *   VALIDATION_FAILED and INVALID_PARAMETERS → PH_ERR_INVALID_PARAMETERS;
 *   NODE_TYPE_DISABLED_FOR_TENANT, TENANT_VIOLATION, AUDIT_FAILED → PH_ERR_POLICY;
 *   INVALID_ARGUMENT → PH_ERR_INVALID_ARGUMENT; EXECUTION_TIMEOUT → PH_ERR_TIMEOUT;
 *   TRANSIENT_ERROR → PH_ERR_TRANSIENT; CREDENTIAL_MISSING → PH_ERR_CREDENTIAL_MISSING;
 *   UNSUPPORTED → PH_ERR_UNSUPPORTED; CANCELLED → PH_ERR_CANCELLED; any other → PH_ERR_EXECUTION.
 * - Ownership: every `char *` the host returns through an out parameter is allocated by the
 *   host and owned by the caller, who frees it with ph_free() (never with free(): the host may
 *   use another allocator). An out parameter is set to NULL when there is nothing to return,
 *   so freeing unconditionally is always correct. Any out parameter may itself be NULL: the
 *   host then does not produce that document. Input strings are only read during the call.
 * - Threads: one ph_host may be used from many threads at once; every function except
 *   ph_host_destroy is safe to call concurrently on the same handle. Node executions and
 *   workflow runs on one handle proceed in parallel (plugins declared `threadSafe: false`
 *   are serialized by the host). Calls block the calling thread until they finish.
 */
#ifndef PLUGIN_HOST_EMBED_H
#define PLUGIN_HOST_EMBED_H

#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A running host: its plugin directories, scan report, loaded plugins, policies, statistics.
 *  Opaque; created by ph_host_create, released by ph_host_destroy. */
typedef struct ph_host ph_host;

/**
 * Creates a host. Nothing is scanned or loaded yet.
 *
 * options_json: NULL for the defaults, or an object with any of
 *   "pluginPath": ["dir", …]   plugin directories (default: PLUGIN_HOST_PATH, else the
 *                              directory holding libplugin_host.so, as the CLI does)
 *   "mode": "strict"|"loose"   metadata checking (default "strict")
 *   "initConcurrency": 5       plugins initialized at the same time (≥ 1)
 *   "initTimeoutMs": 5000      time limit of each plugin's init
 *   "policy": {…}              tenant policies, the policy-file format (default: single tenant)
 * Unknown keys are PH_ERR_INVALID_ARGUMENT (a misspelt option must not be silently ignored).
 * On success *out_host is the new handle; on failure it is set to NULL.
 */
ph_status ph_host_create(const char *options_json, ph_host **out_host, char **out_error);

/**
 * Shuts down every initialized plugin and frees the handle. NULL is a no-op.
 * Not thread-safe with other calls on the same handle: the caller ensures no call on `host`
 * is running or will start. Plugin libraries stay mapped (the host never unloads code).
 */
void ph_host_destroy(ph_host *host);

/**
 * Scans plugin directories without running plugin code and remembers the report.
 * dirs_json: a JSON array of directory paths, or NULL for the host's configured directories.
 * *out_report_json: the `plugin-host scan --json` document. Returns PH_OK when the scan ran,
 * even if some files were rejected (they are in the report with their problems).
 */
ph_status ph_host_scan(ph_host *host, const char *dirs_json, char **out_report_json, char **out_error);

/**
 * Loads and initializes every plugin the last scan accepted (scanning first if there was
 * none): dependencies first, initConcurrency at a time, each under initTimeoutMs.
 * *out_report_json: the `plugin-host load --json` document. Returns PH_OK when the load ran,
 * even if some plugins failed to initialize (the report names them and why).
 */
ph_status ph_host_load(ph_host *host, char **out_report_json, char **out_error);

/**
 * Lists the node types of initialized plugins.
 * *out_nodes_json: an array of {"nodeType", "pluginId", "pluginVersion", "description",
 * "category", "tags", "supportedVersions", "schema"} sorted by node type.
 */
ph_status ph_host_list(ph_host *host, char **out_nodes_json, char **out_error);

/**
 * Executes one node: tenant check, lookup (loading its plugin on demand), parameter
 * validation, call, result — the same pipeline as `plugin-host exec`.
 * tenant: NULL for none (single-tenant mode, or the policy's defaultPolicy).
 * params_json: a JSON object (required). input_json: a JSON array of items, NULL for [].
 * Returns PH_OK exactly when the node succeeded. *out_result_json is the node result
 * (`exec --json` shape) whenever one exists, failures included; *out_error is set too when
 * the node did not succeed.
 */
ph_status ph_host_execute(ph_host *host, const char *tenant, const char *node_type,
                          const char *params_json, const char *input_json,
                          char **out_result_json, char **out_error);

/**
 * Validates and runs a workflow (DESIGN §6 format) with its recovery settings.
 * tenant: NULL for none. Returns PH_OK exactly when the run succeeded. *out_result_json is
 * the `plugin-host run --json` document whenever a run result exists, failures included; a
 * workflow that fails validation is not run: PH_ERR_INVALID_PARAMETERS (the result document
 * then lists the problems).
 */
ph_status ph_host_run_workflow(ph_host *host, const char *tenant, const char *workflow_json,
                               char **out_result_json, char **out_error);

/**
 * Replaces the tenant policies (the policy-file format); NULL returns to single-tenant mode.
 * Executions already past their tenant check finish under the previous policies.
 * A malformed policy is rejected (POLICY_INVALID) and the previous policies stay in force.
 */
ph_status ph_host_set_policy(ph_host *host, const char *policy_json, char **out_error);

/**
 * Statistics since the host was created: per node type calls, errors and latency
 * percentiles, validation-cache hits and misses, circuit breakers, error metrics (by code,
 * node type and tenant; recent errors). *out_stats_json: the same document as the CLI's.
 */
ph_status ph_host_stats(ph_host *host, char **out_stats_json, char **out_error);

/** Frees a string returned by any function above. NULL is a no-op. */
void ph_free(void *ptr);

/** The host's version, e.g. "0.4.0 (ABI 1.0)". Static storage: never free it. */
const char *ph_version(void);

#ifdef __cplusplus
}
#endif

#endif /* PLUGIN_HOST_EMBED_H */
