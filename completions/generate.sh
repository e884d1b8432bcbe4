#!/bin/sh
# Regenerates the shell completion scripts in this directory from ript's
# command tree (swift-argument-parser's --generate-completion-script), so
# they never drift from --help. CompletionTests fails until this is run after
# a command or option changes.
#
#   completions/generate.sh             builds ript (debug), then generates
#   RIPT=path/to/ript completions/generate.sh   uses that binary
set -eu
cd "$(dirname "$0")/.."

ript="${RIPT:-}"
if [ -z "$ript" ]; then
    swift build --product ript >&2
    ript="$(swift build --show-bin-path)/ript"
fi

for pair in bash:ript.bash zsh:_ript fish:ript.fish; do
    shell="${pair%%:*}" file="completions/${pair#*:}"
    "$ript" --generate-completion-script "$shell" > "$file.tmp"
    mv "$file.tmp" "$file"
    echo "$file" >&2
done
