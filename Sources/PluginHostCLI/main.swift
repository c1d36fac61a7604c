print("plugin-host: under construction")
