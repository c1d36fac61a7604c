/*
 * greeter_metadata.h — the Swift greeter plugin's metadata, embedded by C.
 *
 * Swift cannot emit an ELF note, so this one-file C companion embeds the metadata with
 * PH_PLUGIN_METADATA and hands the very same bytes to the Swift entry point, which must return
 * them as ph_plugin.metadata_json (the host checks the note and the descriptor agree).
 */
#ifndef GREETER_METADATA_H
#define GREETER_METADATA_H

#ifdef __cplusplus
extern "C" {
#endif

/** The embedded metadata JSON, NUL-terminated. Static: valid for the life of the process. */
const char *greeter_metadata_json(void);

#ifdef __cplusplus
}
#endif

#endif /* GREETER_METADATA_H */
