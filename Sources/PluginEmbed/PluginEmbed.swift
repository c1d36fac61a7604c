// The embedding C ABI (embed.h, DESIGN §7), exported from libplugin_host.so.
