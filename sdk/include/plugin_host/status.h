/*
 * plugin_host/status.h — status codes shared by plugins (plugin.h) and embedders (embed.h).
 *
 * A status is an int32_t; PH_OK is 0. The list is append-only: new codes may be added in a
 * minor ABI version, so treat any unknown non-zero value as PH_ERR_EXECUTION. Plugins choose
 * the code; the host decides routing from it (only TRANSIENT, TIMEOUT and EXECUTION errors are
 * retried by default; INVALID_PARAMETERS never is).
 */
#ifndef PLUGIN_HOST_STATUS_H
#define PLUGIN_HOST_STATUS_H

#include <stdint.h>

/** Result of every plugin callback and every embed.h function. */
typedef int32_t ph_status;

/** Success. */
#define PH_OK 0
/** The parameters or input items are wrong; retrying the same call cannot help. */
#define PH_ERR_INVALID_PARAMETERS 1
/** The node ran and failed; the host may retry it if the node's retry policy allows. */
#define PH_ERR_EXECUTION 2
/** A passing failure (network blip, busy resource); retried by default. */
#define PH_ERR_TRANSIENT 3
/** The plugin gave up waiting on something it depends on. */
#define PH_ERR_TIMEOUT 4
/** A credential the node needs was not supplied. */
#define PH_ERR_CREDENTIAL_MISSING 5
/** The node or feature is not supported by this plugin build. */
#define PH_ERR_UNSUPPORTED 6
/** The plugin stopped because is_cancelled() turned true. */
#define PH_ERR_CANCELLED 7
/** embed.h: a named thing (node type, plugin, tenant) does not exist. */
#define PH_ERR_NOT_FOUND 8
/** embed.h: an argument was NULL where it may not be, or its JSON was malformed. */
#define PH_ERR_INVALID_ARGUMENT 9
/** A policy forbids the call (tenant not allowed, data isolation violated). */
#define PH_ERR_POLICY 10
/** The host itself failed (out of memory, internal invariant); report it as a bug. */
#define PH_ERR_INTERNAL 11

#endif /* PLUGIN_HOST_STATUS_H */
