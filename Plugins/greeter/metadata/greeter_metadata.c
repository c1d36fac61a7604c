#include <plugin_host/plugin.h>
