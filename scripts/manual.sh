#!/usr/bin/env bash
# Prints the plugin-host(1) man page, made from the argument parser's own help (the command and
# each subcommand's --help), so the page never disagrees with the binary. Used by install.sh.
# (swift-argument-parser's generate-manual plugin needs a package build of its own; this needs
# only the built binary.)
#
#   scripts/manual.sh PATH/TO/plugin-host > plugin-host.1
set -euo pipefail
[ $# -eq 1 ] && [ -x "$1" ] || { echo "usage: scripts/manual.sh PATH/TO/plugin-host" >&2; exit 2; }
host=$1
roff() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }
subcommands() { "$host" "$@" --help | sed -n '/^SUBCOMMANDS:/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p'; }
section() {    # section WORDS...: one subsection with that command's help
    echo ".SS plugin-host $*"
    echo ".nf"
    "$host" "$@" --help | roff
    echo ".fi"
    for sub in $(subcommands "$@"); do [ "$sub" = help ] || section "$@" "$sub"; done
}
version=$("$host" --version)
echo ".TH PLUGIN-HOST 1 \"\" \"plugin-host $version\" \"User Commands\""
echo ".SH NAME"
echo "plugin-host \\- scan, check, load and run workflow node-executor plugins"
echo ".SH DESCRIPTION"
echo ".nf"
"$host" --help | roff
echo ".fi"
echo ".SH COMMANDS"
for sub in $(subcommands); do [ "$sub" = help ] || section "$sub"; done
echo ".SH FILES"
echo "PREFIX/lib/plugin-host/plugins (bundled plugins), ~/.local/lib/plugin-host/plugins (per-user plugins),"
echo "PREFIX/lib/plugin-host/plugin-host-worker (the isolation worker)."
