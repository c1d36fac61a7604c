// The PluginELF module; see Package.swift for its place in the layers.
