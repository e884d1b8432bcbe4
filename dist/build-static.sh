#!/bin/sh
# Builds the ript binary to deploy: release, with the Swift runtime and
# standard library linked in (--static-swift-stdlib), stripped. Fails loudly
# if it still needs a shared library outside the short list any Debian or
# Ubuntu machine with iptables has: glibc (libc, libm, libpthread, libdl,
# librt, the loader), libstdc++ and libgcc_s, and libiptc (libip4tc, libip6tc).
#
#   dist/build-static.sh [OUTPUT]        OUTPUT defaults to .build/dist/ript
set -eu
cd "$(dirname "$0")/.."
output="${1:-.build/dist/ript}"

# No $ORIGIN run path: the binary loads nothing from beside itself. Symbols
# bound at start (-z now), so the relocations become read-only (full RELRO).
# A scratch path of its own: these flags would otherwise rebuild .build's
# ordinary release build, and it this one, at every switch.
build() { swift build -c release --static-swift-stdlib --disable-local-rpath -Xlinker -z -Xlinker now --scratch-path .build-static "$@"; }
build --product ript
built="$(build --show-bin-path)/ript"

mkdir -p "$(dirname "$output")"
# What dh_strip does for an executable: symbols and debug information, and
# the .comment and .note sections, go.
strip --remove-section=.comment --remove-section=.note -o "$output" "$built"

# Every library the loader would map, by file name ("libc.so.6 => /lib/... (0x...)"), on one line.
libraries=$(ldd "$output" | awk '{ print $1 }' | sed 's#.*/##' | paste -sd ' ' -)
unexpected=""
for library in $libraries; do
    case "$library" in
        linux-vdso.so.*|ld-linux*.so.*|libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*) ;;
        libstdc++.so.*|libgcc_s.so.*) ;;
        libip4tc.so.*|libip6tc.so.*) ;;
        *) unexpected="$unexpected $library" ;;
    esac
done
if [ -n "$unexpected" ]; then
    echo "build-static.sh: error: $output needs shared libraries a plain machine doesn't have:$unexpected" >&2
    ldd "$output" >&2
    exit 1
fi
if readelf -d "$output" | grep -E -q '\((RPATH|RUNPATH)\)'; then
    echo "build-static.sh: error: $output has a run path:" >&2
    readelf -d "$output" | grep -E '\((RPATH|RUNPATH)\)' >&2
    exit 1
fi
if ldd "$output" | grep -q 'not found'; then
    echo "build-static.sh: error: $output needs a library this machine lacks" >&2
    ldd "$output" >&2
    exit 1
fi

echo "$output: $(stat -c %s "$output") bytes ($(du -h "$output" | cut -f1)), needs only: $libraries"
