#!/bin/sh
# Regenerates man/ript.1 from ript's command tree with swift-argument-parser's
# generate-manual plugin, so the page says exactly what `ript --help` says.
# Run it after changing any command, option or help text: the ManualTests
# (`swift test --filter ManualTests`) fail until the page matches the code.
#
# The page is dated by the last commit that changed the command line (or by
# SOURCE_DATE_EPOCH when set), never by today's date, so the same sources
# always give the same page. man/ript-dsl.5 is written by hand.
set -eu
cd "$(dirname "$0")/.."

if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
    date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)
else
    date=$(git log -1 --format=%cs -- Sources/ript Package.swift)
fi
if [ -z "$date" ]; then
    echo "man/generate.sh: no commit changes Sources/ript; set SOURCE_DATE_EPOCH to date the page" >&2
    exit 2
fi

# Debug, like the `ript` the tests check the page against (and already built).
log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift package generate-manual --configuration debug --date "$date" | tee "$log"

# The plugin says where it wrote the page:
# "Generated manual in 'file:///…/plugins/GenerateManual/outputs/ript/'".
directory=$(sed -n "s|^Generated manual in '\(file://\)\{0,1\}\(.*\)'$|\2|p" "$log" | tail -n 1)
if [ -z "$directory" ] || [ ! -f "$directory/ript.1" ]; then
    echo "man/generate.sh: the generate-manual plugin did not say where it wrote ript.1" >&2
    exit 2
fi
cp "$directory/ript.1" man/ript.1
echo "man/ript.1 regenerated (dated $date)"
