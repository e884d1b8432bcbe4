#!/bin/sh
# Proves the .deb installs with apt on a fresh Debian 12 and works there.
# Makes a minimal bookworm (debootstrap --variant=minbase) in a temporary
# directory, then:
#   1. in it (chroot): 'apt-get install ./ript_*.deb', ript --version,
#      'ript rules generate' of an example, 'man -w ript', and, in a network
#      namespace of its own (unshare -n), 'ript apply' of the examples with
#      iptables-legacy-save;
#   2. boots it with systemd as PID 1 (systemd-nspawn --private-network),
#      ript.service enabled and the examples in /etc/ript: the unit, with all
#      its sandboxing, must be active before network-pre.target, the rules
#      loaded, and 'systemctl reload ript' must apply an edit; booted again
#      with a broken rule file, the unit must have failed with status 2, the
#      file:line:column diagnostic in its journal and no rule loaded;
#   3. 'apt-get purge ript' removes it all.
# Slow (about a minute, and the network), manual, not part of 'swift test'.
# Run as root; needs debootstrap and systemd-container (systemd-nspawn).
#
#   dist/test-deb.sh [DEB]     default: the newest .build/dist/ript_*.deb
#   DEBIAN_MIRROR=http://...   default http://deb.debian.org/debian
#
# Every step that mounts runs in a mount namespace of its own (unshare -m, or
# nspawn's), so its mounts vanish when it ends, even on failure; the
# directory is removed only once nothing is mounted under it, and rm never
# crosses into another file system.
set -eu
cd "$(dirname "$0")/.."
# shellcheck disable=SC2012 # ls for the newest by time: the names are build-deb.sh's ript_VERSION_ARCH.deb
deb="${1:-$(ls -t .build/dist/ript_*.deb 2>/dev/null | head -1)}"
[ -f "$deb" ] || { echo "test-deb.sh: no .deb; run dist/build-deb.sh first" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "test-deb.sh: run as root (debootstrap, chroot, unshare, systemd-nspawn)" >&2; exit 1; }
for tool in debootstrap systemd-nspawn; do
    command -v "$tool" > /dev/null || { echo "test-deb.sh: needs $tool: apt-get install debootstrap systemd-container" >&2; exit 1; }
done
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

target=$(mktemp -d /tmp/ript-deb-test.XXXXXX)
chmod 0755 "$target"  # a system's root: apt's _apt and man-db's man users read it
# systemd-nspawn leaves empty directories in /run/systemd/nspawn; remove them if it made them.
nspawn_run_existed=$([ -e /run/systemd/nspawn ] && echo yes || echo no)
cleanup() {
    if [ "$nspawn_run_existed" = no ]; then
        rmdir /run/systemd/nspawn/propagate /run/systemd/nspawn/locks /run/systemd/nspawn 2> /dev/null || true
    fi
    if grep -q " $target" /proc/self/mountinfo; then
        echo "test-deb.sh: something is still mounted under $target; not removing it:" >&2
        grep " $target" /proc/self/mountinfo >&2
        return
    fi
    rm -rf --one-file-system "$target"
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { awk -v now="$(now)" -v then="$1" 'BEGIN { printf "%.1f", now - then }'; }
step() { echo; echo "== $*"; }
fail() { echo "test-deb.sh: FAILED: $*" >&2; exit 1; }

# Runs a script (standard input) in the chroot's own mount namespace, with
# its /proc and /dev/pts mounted there only; in_chroot runs a command inside.
with_chroot() {
    unshare --mount --propagation private sh -eu -s "$target" "$@" <<EOF
target=\$1; shift
mount -t proc proc "\$target/proc"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "\$target/dev/pts"
in_chroot() { chroot "\$target" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "\$@" < /dev/null; }
$(cat)
umount "\$target/dev/pts" "\$target/proc"
EOF
}

step "debootstrap --variant=minbase bookworm $target ($mirror)"
started=$(now)
unshare --mount --propagation private debootstrap --variant=minbase bookworm "$target" "$mirror" > "$target.log" 2>&1 \
    || { tail -20 "$target.log" >&2; rm -f "$target.log"; exit 1; }
rm -f "$target.log"
echo "debootstrap: $(elapsed "$started") s, $(du -sh --one-file-system "$target" | cut -f1)"

cp "$deb" "$target/tmp/"
cp /etc/resolv.conf "$target/etc/resolv.conf"
package="/tmp/$(basename "$deb")"

step "apt-get update; apt-get install -y $package"
install_started=$(now)
with_chroot "$package" <<'EOF'
in_chroot apt-get update -qq
in_chroot apt-get install -y --no-install-recommends "$1" > "$target/tmp/install.log" 2>&1 \
    || { cat "$target/tmp/install.log"; exit 1; }
grep -E '^(Need to get|After this|Setting up)' "$target/tmp/install.log"
EOF
echo "apt install: $(elapsed "$install_started") s"

with_chroot <<'EOF'
in_chroot dpkg -s ript | grep -E '^(Status|Version|Depends):'

echo; echo "== ript --version"
in_chroot ript --version

echo; echo "== ript rules generate /usr/share/doc/ript/examples/basic.swift"
in_chroot ript rules generate /usr/share/doc/ript/examples/basic.swift

echo; echo "== man -w ript (man-db installed for this check: it is no dependency)"
in_chroot apt-get install -y -qq --no-install-recommends man-db > /dev/null 2>&1
in_chroot man -w ript
for page in $(in_chroot dpkg -L ript | grep '^/usr/share/man/man.*\.gz$'); do
    name=$(basename "$page" .gz)
    in_chroot man -w "${name##*.}" "${name%.*}" > /dev/null && echo "man ${name##*.} ${name%.*}: found"
done

echo; echo "== completions, the unit and /etc/ript in place"
for file in /usr/share/bash-completion/completions/ript /usr/share/zsh/vendor-completions/_ript \
    /usr/share/fish/vendor_completions.d/ript.fish /lib/systemd/system/ript.service; do
    [ -s "$target$file" ] && echo "$file"
done
[ -d "$target/etc/ript" ] && [ -z "$(ls -A "$target/etc/ript")" ] && echo "/etc/ript (empty)"

echo; echo "== unshare -n: ript apply /usr/share/doc/ript/examples; iptables-legacy-save"
# A network namespace of its own: never the machine's tables. The chroot's
# /run/xtables.lock and /var/cache/ript are the chroot's.
in_chroot unshare -n sh -ec '
    echo "ript apply: $(ript apply /usr/share/doc/ript/examples | wc -l) changes"
    ript rules diff --exit-code /usr/share/doc/ript/examples && echo "ript rules diff: in sync"
    echo "iptables-legacy-save: $(iptables-legacy-save | grep -c "^-A") rules; ip6tables-legacy-save: $(ip6tables-legacy-save | grep -c "^-A") rules"
    iptables-legacy-save -t filter | grep -E "^:basic|^-A INPUT" | head -3
    echo "compile cache files in /var/cache/ript: $(ls /var/cache/ript | wc -l)"
'
rm -r "$target/var/cache/ript"

# For the boots: systemd, the examples as the admin's rules, the unit enabled,
# and a unit that reports on it, reloads it with an edit, and powers off.
in_chroot apt-get install -y -qq --no-install-recommends systemd systemd-sysv > /dev/null 2>&1
cp "$target"/usr/share/doc/ript/examples/*.swift "$target/etc/ript/"
cat > "$target/etc/systemd/system/ript-report.service" <<'UNIT'
[Unit]
Description=Report on ript.service for dist/test-deb.sh, then power off
DefaultDependencies=no
After=ript.service network-pre.target
[Service]
Type=oneshot
StandardOutput=journal+console
ExecStart=/bin/sh -c '\
    report() { echo "REPORT $1 state=$(systemctl is-active ript) result=$(systemctl show -P Result ript) status=$(systemctl show -P ExecMainStatus ript) rules=$(iptables-legacy-save | grep -c "^-A")"; }; \
    report boot; \
    echo "REPORT entered(us) ript=$(systemctl show -P ActiveEnterTimestampMonotonic ript) network-pre=$(systemctl show -P ActiveEnterTimestampMonotonic network-pre.target)"; \
    journalctl -b -u ript --no-pager -o cat | grep -v -E "^(iptables|ip6tables) --table" | sed "s/^/JOURNAL /"; \
    if [ ! -e /etc/ript/broken.swift ]; then rm /etc/ript/basic.swift; systemctl reload ript; report reload; iptables-legacy-save | grep -c "^:basic-" | sed "s/^/REPORT basic chains after reload: /"; fi'
ExecStartPost=/bin/systemctl poweroff --no-block
[Install]
WantedBy=multi-user.target
UNIT
in_chroot systemctl enable ript.service ript-report.service 2>&1 | sed 's/^/systemctl enable: /'
EOF

boot() {
    boot_started=$(now)
    timeout 300 systemd-nspawn --quiet --register=no --keep-unit --private-network -D "$target" --boot > "$target/tmp/boot.log" 2>&1 \
        || { cat "$target/tmp/boot.log"; fail "the boot did not power off cleanly"; }
    # The console's colours and carriage returns out.
    sed 's/\x1b\[[0-9;]*m//g; s/\r$//' "$target/tmp/boot.log" | grep -a -o -E '(REPORT|JOURNAL) .*' > "$target/tmp/report"
    cat "$target/tmp/report"
    echo "boot: $(elapsed "$boot_started") s"
}

step "boot with systemd (systemd-nspawn --private-network), /etc/ript = the examples"
boot
grep -q '^REPORT boot state=active result=success status=0 rules=[1-9]' "$target/tmp/report" || fail "ript.service did not load the rules at boot"
grep -q '^REPORT reload state=active result=success status=0 rules=[1-9]' "$target/tmp/report" || fail "systemctl reload ript failed"
grep -q '^REPORT basic chains after reload: 0' "$target/tmp/report" || fail "the reload did not remove the deleted partition"
awk '/^REPORT entered/ { split($3, r, "="); split($4, n, "="); ok = r[2] > 0 && r[2] <= n[2] } END { exit !ok }' "$target/tmp/report" \
    || fail "ript.service was not active before network-pre.target"

step "boot again with a broken rule file in /etc/ript"
printf 'import RiptDSL\n\nPartition("broken") {\n    Label("web", address: "192.0.2.256")\n}\n' > "$target/etc/ript/broken.swift"
boot
grep -q '^REPORT boot state=failed result=exit-code status=2 rules=0$' "$target/tmp/report" || fail "ript.service did not fail with status 2, changing nothing"
grep -q '^JOURNAL /etc/ript/broken.swift:4:[0-9]*: error: ' "$target/tmp/report" || fail "the diagnostic is not in the journal"

step "apt-get purge -y ript"
with_chroot <<'EOF'
in_chroot apt-get purge -y -qq ript > /dev/null
# The admin's rule files stay; the package's own files and the cache go.
for path in /usr/sbin/ript /var/cache/ript /lib/systemd/system/ript.service /etc/systemd/system/multi-user.target.wants/ript.service; do
    [ ! -e "$target$path" ] && [ ! -L "$target$path" ] || { echo "$path is still there after purge" >&2; exit 1; }
done
echo "purged: /usr/sbin/ript, /var/cache/ript, the unit and its enable link are gone; /etc/ript keeps $(ls "$target/etc/ript" | wc -l) rule files"
EOF

step "passed; total $(elapsed "$started") s (apt install of the .deb: see above)"
