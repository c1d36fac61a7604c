/*
 * plugin_host/version.h — the ABI version this SDK describes.
 *
 * Compatibility rule: a plugin built against ABI major.minor loads into a host with the same
 * major and a minor that is equal or newer. Anything else is ABI_INCOMPATIBLE and the file is
 * never dlopen'ed.
 */
#ifndef PLUGIN_HOST_VERSION_H
#define PLUGIN_HOST_VERSION_H

/** Major ABI version: bumped only when a shipped struct or function changes meaning. */
#define PH_ABI_VERSION_MAJOR 1
/** Minor ABI version: bumped when fields are appended or new codes and services are added. */
#define PH_ABI_VERSION_MINOR 0
/** The same version as the string plugins write in their metadata's "abi" field. */
#define PH_ABI_VERSION_STRING "1.0"

#endif /* PLUGIN_HOST_VERSION_H */
