/// C source of a client that shares one handle between THREADS pthreads, each executing
/// math.add EXECUTIONS times with its own operands and checking every result; odd threads also
/// execute a failing node every tenth call and check its status and error code, and every
/// thread lists the node types now and then. Prints `ok CALLS` when all were right, else the
/// first mismatch, and exits 1.
///
/// Usage: threaded_client THREADS EXECUTIONS [lazy]   (lazy: no ph_host_load, plugins load on
/// the first calls, from every thread at once)
///        threaded_client THREADS race   (threads execute until the main thread destroys the
/// handle under them; every call must return PH_OK or, after the destroy, PH_ERR_INVALID_ARGUMENT;
/// prints `race ok` when each thread saw both)
let threadedClientSource = #"""
#define _POSIX_C_SOURCE 200809L
#include <plugin_host/embed.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static ph_host *host;
static int executions;
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;
static int failures;
static long calls;

static void fail(const char *what, int thread, int step, ph_status st, const char *doc, const char *error) {
    pthread_mutex_lock(&report_lock);
    if (failures++ == 0) {
        printf("thread %d step %d: %s (status %d)\nresult: %s\nerror: %s\n", thread, step, what, (int)st,
               doc ? doc : "(null)", error ? error : "(null)");
    }
    pthread_mutex_unlock(&report_lock);
}

static void *work(void *arg) {
    int thread = (int)(long)arg;
    long done = 0;
    char params[96], expected[64];
    for (int step = 0; step < executions; step++) {
        char *doc = NULL, *error = NULL;
        snprintf(params, sizeof params, "{\"a\":%d,\"b\":%d}", thread * 100000, step);
        snprintf(expected, sizeof expected, "\"output\":{\"result\":%d}", thread * 100000 + step);
        ph_status st = ph_host_execute(host, NULL, "math.add", params, NULL, &doc, &error);
        done++;
        if (st != PH_OK || doc == NULL || strstr(doc, expected) == NULL || error != NULL)
            fail("math.add result", thread, step, st, doc, error);
        ph_free(doc);
        ph_free(error);
        if (thread % 2 == 1 && step % 10 == 0) {
            doc = NULL;
            error = NULL;
            st = ph_host_execute(host, NULL, "math.div", "{\"a\":1,\"b\":0}", "[]", &doc, &error);
            done++;
            if (st != PH_ERR_INVALID_PARAMETERS || error == NULL || strstr(error, "\"code\":\"INVALID_PARAMETERS\"") == NULL)
                fail("math.div failure", thread, step, st, doc, error);
            ph_free(doc);
            ph_free(error);
        }
        if (step % 50 == 0) {
            doc = NULL;
            st = ph_host_list(host, &doc, NULL);
            if (st != PH_OK || doc == NULL || strstr(doc, "\"math.add\"") == NULL) fail("list", thread, step, st, doc, NULL);
            ph_free(doc);
        }
    }
    pthread_mutex_lock(&report_lock);
    calls += done;
    pthread_mutex_unlock(&report_lock);
    return NULL;
}

static int race_bad;

static void *race(void *arg) {
    (void)arg;
    int ok = 0, invalid = 0;
    for (;;) {
        char *doc = NULL, *error = NULL;
        ph_status st = ph_host_execute(host, NULL, "math.add", "{\"a\":1,\"b\":2}", NULL, &doc, &error);
        if (st == PH_OK && doc != NULL && strstr(doc, "\"result\":3") != NULL) ok++;
        else if (st == PH_ERR_INVALID_ARGUMENT && error != NULL && strstr(error, "not a live handle") != NULL) invalid++;
        else {
            pthread_mutex_lock(&report_lock);
            race_bad++;
            pthread_mutex_unlock(&report_lock);
        }
        ph_free(doc);
        ph_free(error);
        if (invalid > 0) break;
    }
    if (ok == 0) {
        pthread_mutex_lock(&report_lock);
        race_bad++;
        pthread_mutex_unlock(&report_lock);
    }
    return NULL;
}

static int run_race(int threads) {
    char *error = NULL;
    if (ph_host_create(NULL, &host, &error) != PH_OK || ph_host_load(host, NULL, &error) != PH_OK) {
        printf("setup: %s\n", error ? error : "?");
        return 1;
    }
    pthread_t *ids = calloc((size_t)threads, sizeof *ids);
    for (int i = 0; i < threads; i++) pthread_create(&ids[i], NULL, race, NULL);
    struct timespec pause = {0, 50 * 1000 * 1000};
    nanosleep(&pause, NULL);
    ph_host_destroy(host);
    for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    free(ids);
    if (race_bad) { printf("race: %d unexpected outcomes\n", race_bad); return 1; }
    printf("race ok\n");
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    if (strcmp(argv[2], "race") == 0) return run_race(atoi(argv[1]));
    int lazy = argc > 3 && strcmp(argv[3], "lazy") == 0;
    int threads = atoi(argv[1]);
    executions = atoi(argv[2]);
    char *error = NULL;
    ph_status st = ph_host_create(NULL, &host, &error);
    if (st != PH_OK) { printf("create: %s\n", error); return 1; }
    st = lazy ? PH_OK : ph_host_load(host, NULL, &error);
    if (st != PH_OK) { printf("load: %s\n", error); return 1; }
    pthread_t *ids = calloc((size_t)threads, sizeof *ids);
    for (int i = 0; i < threads; i++) pthread_create(&ids[i], NULL, work, (void *)(long)i);
    for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    free(ids);
    ph_host_destroy(host);
    if (failures > 0) { printf("%d failures\n", failures); return 1; }
    printf("ok %ld\n", calls);
    return 0;
}
"""#
