/*
 * The greeter's metadata note (see greeter_metadata.h for why it lives in C). The function is
 * hidden (-fvisibility=hidden) but linked into the same libph-greeter.so as the Swift code.
 */
#include "greeter_metadata.h"

#include <plugin_host/plugin.h>

PH_PLUGIN_METADATA(
    "{\"id\":\"org.plugin-host.greeter\",\"name\":\"Greeter\",\"version\":\"1.0.0\",\"abi\":\"1.0\","
    "\"author\":\"plugin-host\",\"license\":\"MIT\","
    "\"description\":\"Greets someone by name; written in Swift.\","
    "\"threadSafe\":true,\"dependencies\":{},\"nodes\":["
    "{\"nodeType\":\"greeter.hello\",\"version\":\"1.0.0\",\"category\":\"text\","
    "\"description\":\"Returns 'Hello, <name><punctuation>'.\",\"requiredFields\":[\"name\"],"
    "\"schema\":{\"type\":\"object\",\"properties\":{"
    "\"name\":{\"type\":\"string\",\"minLength\":1,\"description\":\"Who to greet.\"},"
    "\"punctuation\":{\"type\":\"string\",\"default\":\"!\",\"description\":\"Put after the name.\"}},"
    "\"required\":[\"name\"],\"additionalProperties\":false},"
    "\"supportedVersions\":[1],\"tags\":[\"text\",\"example\"]}"
    "]}");

const char *greeter_metadata_json(void) { return PH_PLUGIN_METADATA_JSON; }
