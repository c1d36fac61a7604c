// plugin-host-worker: runs plugin calls for a host, so a plugin that crashes, exits, hangs or
// runs out of memory takes only this process with it. Started by the host's WorkerPool (and
// by the probe) with its socket on descriptor 3; not meant to be run by hand, except to see
// why it does not start.
#if canImport(Glibc)
import Glibc
#endif

exit(WorkerMain.run(arguments: Array(CommandLine.arguments.dropFirst())))
