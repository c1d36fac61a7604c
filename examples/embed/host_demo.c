/*
 * host_demo.c — the embedding API (plugin_host/embed.h) from plain C.
 *
 * Creates a host, scans and loads the bundled example plugins, lists their node types,
 * executes math.add, runs a two-node workflow (math.add → string.upper through a $ref),
 * prints the statistics and destroys the host. Every status is checked; on failure the error
 * document ({"code", "message", …}) is printed and the program exits 1.
 *
 * Usage: host_demo [PLUGIN_DIR]   (default: PLUGIN_HOST_PATH, else libplugin_host.so's directory)
 */
#include <plugin_host/embed.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prints what failed and the host's error document, frees it, and reports failure. */
static int failed(const char *what, ph_status status, char *error) {
    fprintf(stderr, "%s failed with status %d: %s\n", what, (int)status, error ? error : "(no error document)");
    ph_free(error);
    return 1;
}

/* Prints a returned document under a heading and frees it. */
static void show(const char *heading, char *json) {
    printf("== %s\n%s\n", heading, json ? json : "(none)");
    ph_free(json);
}

int main(int argc, char **argv) {
    char options[4096];
    char *error = NULL, *doc = NULL;
    ph_host *host = NULL;
    ph_status st;
    int exit_code = 0;

    printf("plugin host %s\n", ph_version());

    /* Options are JSON; only the plugin directory given, if one was (without
     * "defaultPlugins": false the bundled and installed plugins would be searched after it). */
    if (argc > 1) {
        if (strpbrk(argv[1], "\"\\") != NULL || strlen(argv[1]) > sizeof options - 64) {
            fprintf(stderr, "the plugin directory must not contain quotes or backslashes\n");
            return 2;
        }
        snprintf(options, sizeof options, "{\"pluginPath\":[\"%s\"],\"defaultPlugins\":false,\"mode\":\"strict\"}", argv[1]);
    } else {
        snprintf(options, sizeof options, "{\"mode\":\"strict\"}");
    }
    if ((st = ph_host_create(options, &host, &error)) != PH_OK) return failed("ph_host_create", st, error);

    if ((st = ph_host_scan(host, NULL, &doc, &error)) != PH_OK) {
        exit_code = failed("ph_host_scan", st, error);
        goto done;
    }
    show("scan", doc);

    if ((st = ph_host_load(host, &doc, &error)) != PH_OK) {
        exit_code = failed("ph_host_load", st, error);
        goto done;
    }
    show("load", doc);

    if ((st = ph_host_list(host, &doc, &error)) != PH_OK) {
        exit_code = failed("ph_host_list", st, error);
        goto done;
    }
    show("list", doc);

    /* PH_OK exactly when the node succeeded; the result document exists either way. */
    st = ph_host_execute(host, NULL, "math.add", "{\"a\":2,\"b\":3}", NULL, &doc, &error);
    if (st != PH_OK) {
        ph_free(doc);
        exit_code = failed("ph_host_execute math.add", st, error);
        goto done;
    }
    show("execute math.add", doc);

    /* A node failure is a status and a result, not a crash: division by zero. */
    st = ph_host_execute(host, NULL, "math.div", "{\"a\":1,\"b\":0}", NULL, &doc, &error);
    printf("== execute math.div by zero: status %d (expected %d)\n%s\n", (int)st, PH_ERR_INVALID_PARAMETERS,
           error ? error : "(no error document)");
    ph_free(doc);
    ph_free(error);
    error = NULL;
    if (st != PH_ERR_INVALID_PARAMETERS) {
        exit_code = 1;
        goto done;
    }

    {
        static const char workflow[] =
            "{\"name\":\"demo\",\"nodes\":["
            "{\"name\":\"Add\",\"type\":\"math.add\",\"typeVersion\":1,\"parameters\":{\"a\":2,\"b\":3}},"
            "{\"name\":\"Describe\",\"type\":\"string.concat\",\"typeVersion\":1,"
            "\"parameters\":{\"values\":[\"sum is \",\"five\"]}},"
            "{\"name\":\"Shout\",\"type\":\"string.upper\",\"typeVersion\":1,"
            "\"parameters\":{\"text\":{\"$ref\":\"Describe#/result\"}}}],"
            "\"connections\":{\"Add\":{\"main\":[[{\"node\":\"Describe\",\"type\":\"main\",\"index\":0}]]},"
            "\"Describe\":{\"main\":[[{\"node\":\"Shout\",\"type\":\"main\",\"index\":0}]]}}}";
        st = ph_host_run_workflow(host, NULL, workflow, &doc, &error);
        if (st != PH_OK) {
            if (doc) show("run (failed)", doc);
            exit_code = failed("ph_host_run_workflow", st, error);
            goto done;
        }
        show("run", doc);
    }

    if ((st = ph_host_stats(host, &doc, &error)) != PH_OK) {
        exit_code = failed("ph_host_stats", st, error);
        goto done;
    }
    show("stats", doc);

done:
    ph_host_destroy(host);
    if (exit_code == 0) printf("done\n");
    return exit_code;
}
