#!/bin/sh
# Builds ript_VERSION_ARCH.deb from the static binary (dist/build-static.sh),
# the man pages in man/, the completions in completions/ and dist/ript.service.
#
#   dist/build-deb.sh [OUTPUT_DIRECTORY]     default .build/dist
#   RIPT_BINARY=path dist/build-deb.sh       package that binary, don't build
#
# What the package does and doesn't do:
# - /usr/sbin/ript; man pages; bash, zsh and fish completions; the example rule
#   files in /usr/share/doc/ript/examples; an empty /etc/ript for the admin's
#   rule files (the package ships none there, so it has no conffiles).
# - /lib/systemd/system/ript.service, never enabled or started by the package:
#   postinst only runs 'systemctl daemon-reload'. An admin puts rules in
#   /etc/ript, checks them with 'ript rules diff /etc/ript', then runs
#   'systemctl enable --now ript'. Upgrades and removal leave the kernel's
#   rules alone; purge removes the compile cache and enable symlinks.
# - Depends: the shared libraries dpkg-shlibdeps finds in the binary (glibc,
#   libstdc++, libgcc_s, libip4tc, libip6tc), and iptables: 'ript rules save'
#   runs iptables-legacy-save, and raw lines are applied with
#   iptables-legacy-restore.
set -eu
cd "$(dirname "$0")/.."
output="${1:-.build/dist}"
mkdir -p "$output"

binary="${RIPT_BINARY:-}"
if [ -z "$binary" ]; then
    dist/build-static.sh .build/dist/ript
    binary=.build/dist/ript
fi

version=$("$binary" --version)
architecture=$(dpkg --print-architecture)
# Reproducible: every date and file time is the commit's.
SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}"
export SOURCE_DATE_EPOCH
maintainer="${DEB_MAINTAINER:-$(git log -1 --format='%an <%ae>')}"
commit=$(git rev-parse --short HEAD)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# debian/ript: where dpkg-shlibdeps expects a package's files.
root="$work/debian/ript"
doc="$root/usr/share/doc/ript"

install -D -m 0755 "$binary" "$root/usr/sbin/ript"

for page in man/*.1 man/*.5; do
    [ -e "$page" ] || continue
    section="${page##*.}"
    mkdir -p "$root/usr/share/man/man$section"
    compressed="$root/usr/share/man/man$section/$(basename "$page").gz"
    gzip -9n < "$page" > "$compressed"
done

# Sourced, never run: without the generator's #! line.
mkdir -p "$root/usr/share/bash-completion/completions"
sed '1{/^#!/d}' completions/ript.bash > "$root/usr/share/bash-completion/completions/ript"
install -D -m 0644 completions/_ript "$root/usr/share/zsh/vendor-completions/_ript"
install -D -m 0644 completions/ript.fish "$root/usr/share/fish/vendor_completions.d/ript.fish"
install -D -m 0644 dist/ript.service "$root/lib/systemd/system/ript.service"
install -d -m 0755 "$root/etc/ript"

install -D -m 0644 dist/debian/copyright "$doc/copyright"
install -d -m 0755 "$doc/examples"
install -m 0644 examples/*.swift "$doc/examples/"
changelog_date=$(date -u -R -d "@$SOURCE_DATE_EPOCH")
gzip -9n > "$doc/changelog.gz" <<EOF
ript ($version) unstable; urgency=medium

  * Built from commit $commit of the ript repository.

 -- $maintainer  $changelog_date
EOF

installed_size=$(du -s -k --apparent-size "$root" | cut -f1)

# dpkg-shlibdeps reads debian/control, and finds the package's root by its DEBIAN.
mkdir -p "$root/DEBIAN"
printf 'Source: ript\n\nPackage: ript\nArchitecture: any\n' > "$work/debian/control"
shlibs=$(cd "$work" && dpkg-shlibdeps -O debian/ript/usr/sbin/ript | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { echo "build-deb.sh: error: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

cat > "$root/DEBIAN/control" <<EOF
Package: ript
Version: $version
Architecture: $architecture
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: $shlibs, iptables
Section: net
Priority: optional
Description: declarative firewall rule compiler for iptables
 ript compiles partitions of firewall rules, written as Swift rule files, to
 iptables and ip6tables chains, and changes the kernel's legacy filter and
 nat tables incrementally through libiptc: one atomic commit per table,
 never a flush, and other programs' chains left alone.
 .
 The ript.service unit applies the rule files in /etc/ript at boot, before
 the network is configured. The package does not enable it.
EOF
for script in postinst prerm postrm; do
    install -m 0755 "dist/debian/$script" "$root/DEBIAN/$script"
done
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums" "$root/DEBIAN/control"

find "$root" -exec touch --no-dereference --date="@$SOURCE_DATE_EPOCH" {} +
package="$output/ript_${version}_${architecture}.deb"
dpkg-deb --build --root-owner-group -Zxz "$root" "$package" >&2
echo "$package: $(stat -c %s "$package") bytes ($(du -h "$package" | cut -f1)); Depends: $shlibs, iptables"
