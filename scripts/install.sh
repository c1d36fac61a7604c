#!/usr/bin/env bash
# Installs plugin-host under a prefix: the command, libplugin_host.so, the worker, the Swift
# runtime they need, headers, pkg-config file, bundled plugins, the plugin template, the Rust SDK, shell
# completions and a man page. Every file installed is listed in
# PREFIX/share/plugin-host/install-manifest.txt, which scripts/uninstall.sh removes exactly.
#
#   scripts/install.sh [--prefix DIR] [--build-dir DIR]
#
# --prefix     where to install (default ~/.local, /usr/local when run as root)
# --build-dir  install the products already built in DIR (e.g. .build/debug) instead of
#              building release into .build-release; the test suite uses it to check the layout
#              without a release build. A build folder's binaries also carry the toolchain's
#              RUNPATH; only the release build made here has $ORIGIN-relative RUNPATHs alone.
set -euo pipefail

die() { echo "install.sh: $*" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" = 0 ]; then prefix=/usr/local; else prefix="${HOME:?HOME is not set; give --prefix}/.local"; fi
build_dir=""
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) [ $# -ge 2 ] && [ -n "$2" ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
        --build-dir) [ $# -ge 2 ] && [ -n "$2" ] || die "--build-dir needs a directory"; build_dir=$2; shift 2 ;;
        -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (usage: scripts/install.sh [--prefix DIR] [--build-dir DIR])" ;;
    esac
done
case "$prefix" in /*) ;; *) prefix="$(pwd)/$prefix" ;; esac
manifest_name=share/plugin-host/install-manifest.txt
[ -e "$prefix/$manifest_name" ] && die "plugin-host is already installed in $prefix: run scripts/uninstall.sh --prefix $prefix first"

if [ -z "$build_dir" ]; then
    # PLUGIN_HOST_INSTALL_BUILD gives libplugin_host.so its SONAME (Package.swift); without the
    # toolchain's RUNPATH the binaries find the runtime only through their $ORIGIN entries.
    flags=(-c release --scratch-path "$root/.build-release" -Xswiftc -no-toolchain-stdlib-rpath)
    (cd "$root" && PLUGIN_HOST_INSTALL_BUILD=1 swift build "${flags[@]}")
    build_dir=$(cd "$root" && PLUGIN_HOST_INSTALL_BUILD=1 swift build "${flags[@]}" --show-bin-path)
fi
[ -d "$build_dir" ] || die "build directory $build_dir does not exist"
build_dir=$(cd "$build_dir" && pwd)
for product in plugin-host plugin-host-worker libplugin_host.so; do
    [ -f "$build_dir/$product" ] || die "$build_dir has no $product: build it first (swift build)"
done
swift_runtime=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")/lib/swift/linux
[ -f "$swift_runtime/libswiftCore.so" ] || die "cannot find the Swift runtime (looked in $swift_runtime)"

installed=()   # paths relative to the prefix, in the order written
created=()     # directories this install made, relative to the prefix
make_dir() {   # make_dir REL: creates PREFIX/REL and its parents, remembering the ones it made
    local rel=$1
    [ -d "$prefix/$rel" ] && return
    [ "$rel" != "." ] && [ "$(dirname "$rel")" != "." ] && make_dir "$(dirname "$rel")"
    mkdir "$prefix/$rel"
    created+=("$rel")
}
put() {        # put SOURCE REL MODE
    make_dir "$(dirname "$2")"
    install -m "$3" "$1" "$prefix/$2"
    installed+=("$2")
}
mkdir -p "$prefix"
scratch_list=$(mktemp); trap 'rm -f "$scratch_list"' EXIT

put "$build_dir/plugin-host" bin/plugin-host 755
put "$build_dir/libplugin_host.so" lib/libplugin_host.so.1 755
ln -s libplugin_host.so.1 "$prefix/lib/libplugin_host.so"; installed+=(lib/libplugin_host.so)
put "$build_dir/plugin-host-worker" lib/plugin-host/plugin-host-worker 755
queue=(bin/plugin-host lib/libplugin_host.so.1 lib/plugin-host/plugin-host-worker)
for plugin in "$build_dir"/libph-*.so; do
    put "$plugin" "lib/plugin-host/plugins/$(basename "$plugin")" 755
    queue+=("lib/plugin-host/plugins/$(basename "$plugin")")
done

# The Swift runtime: every library the binaries and plugins need, directly or through another,
# that comes from the toolchain, copied into lib/plugin-host/ (their $ORIGIN RUNPATHs point there).
while [ ${#queue[@]} -gt 0 ]; do
    file=${queue[0]}; queue=("${queue[@]:1}")
    for needed in $(readelf -d "$prefix/$file" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        if [ -f "$swift_runtime/$needed" ] && [ ! -e "$prefix/lib/plugin-host/$needed" ]; then
            put "$swift_runtime/$needed" "lib/plugin-host/$needed" 644
            queue+=("lib/plugin-host/$needed")
        fi
    done
done

for header in "$root"/sdk/include/plugin_host/*.h; do put "$header" "include/plugin_host/$(basename "$header")" 644; done
for file in "$root"/sdk/template/*; do put "$file" "share/plugin-host/template/$(basename "$file")" 644; done
# The Rust crate and its example, sources only (no target/ or Cargo.lock from a local build).
(cd "$root/sdk" && find rust -type f \( -name '*.rs' -o -name Cargo.toml -o -name '*.md' -o -name '*.json' \) \
    -not -path '*/target/*' | LC_ALL=C sort) > "$scratch_list"
while IFS= read -r file; do put "$root/sdk/$file" "share/plugin-host/$file" 644; done < "$scratch_list"

# One version for everything: the host's own (PluginHostVersion.current), as the binary says it.
version=$("$prefix/bin/plugin-host" --version)
scratch=$(mktemp -d); trap 'rm -rf "$scratch" "$scratch_list"' EXIT
cat > "$scratch/plugin-host.pc" <<PC
prefix=$prefix
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: plugin-host
Description: Embed the plugin-host workflow plugin host (embed.h) or build plugins against its SDK (plugin.h)
Version: $version
Cflags: -I\${includedir}
Libs: -L\${libdir} -lplugin_host
PC
put "$scratch/plugin-host.pc" lib/pkgconfig/plugin-host.pc 644

"$prefix/bin/plugin-host" --generate-completion-script bash > "$scratch/bash"
"$prefix/bin/plugin-host" --generate-completion-script zsh > "$scratch/zsh"
"$prefix/bin/plugin-host" --generate-completion-script fish > "$scratch/fish"
put "$scratch/bash" share/bash-completion/completions/plugin-host 644
put "$scratch/zsh" share/zsh/site-functions/_plugin-host 644
put "$scratch/fish" share/fish/vendor_completions.d/plugin-host.fish 644

"$root/scripts/manual.sh" "$prefix/bin/plugin-host" > "$scratch/plugin-host.1"
put "$scratch/plugin-host.1" share/man/man1/plugin-host.1 644

make_dir "$(dirname "$manifest_name")"
{
    echo "# plugin-host $version installed in $prefix; scripts/uninstall.sh removes exactly these."
    for file in "${installed[@]}" "$manifest_name"; do echo "file $file"; done
    for directory in "${created[@]}"; do echo "dir $directory"; done
} > "$prefix/$manifest_name"
echo "installed plugin-host $version in $prefix (${#installed[@]} files; manifest $prefix/$manifest_name)"
