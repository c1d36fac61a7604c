#!/usr/bin/env bash
# Removes a plugin-host installation made by scripts/install.sh: exactly the files its manifest
# (PREFIX/share/plugin-host/install-manifest.txt) lists, then the directories that install
# created, if they are empty. Nothing else is touched.
#
#   scripts/uninstall.sh [--prefix DIR]     (default ~/.local, /usr/local when run as root)
set -euo pipefail

die() { echo "uninstall.sh: $*" >&2; exit 2; }
if [ "$(id -u)" = 0 ]; then prefix=/usr/local; else prefix="${HOME:?HOME is not set; give --prefix}/.local"; fi
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) [ $# -ge 2 ] && [ -n "$2" ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
        -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (usage: scripts/uninstall.sh [--prefix DIR])" ;;
    esac
done
manifest="$prefix/share/plugin-host/install-manifest.txt"
[ -f "$manifest" ] || die "no plugin-host installation in $prefix ($manifest does not exist)"

# Check the whole manifest before removing anything: only relative paths inside the prefix.
while read -r kind path; do
    case "$kind" in '#'*|'') continue ;; file|dir) ;; *) die "$manifest: unknown line '$kind $path'" ;; esac
    case "/$path/" in //*|*/../*|*/./*) die "$manifest: refusing path '$path' (not inside the prefix)" ;; esac
done < "$manifest"

# Deepest first, so a directory's subdirectories are gone before it is tried. (Read now: the
# manifest is one of the files removed.)
directories=$(grep '^dir ' "$manifest" | cut -d' ' -f2- | awk '{ print length, $0 }' | sort -rn | cut -d' ' -f2-)
removed=0
while read -r kind path; do
    if [ "$kind" = file ] && { [ -e "$prefix/$path" ] || [ -L "$prefix/$path" ]; }; then
        rm -f "$prefix/$path"; removed=$((removed + 1))
    fi
done < "$manifest"
while read -r directory; do
    [ -z "$directory" ] || rmdir "$prefix/$directory" 2>/dev/null || true
done <<< "$directories"
echo "removed plugin-host from $prefix ($removed files)"
