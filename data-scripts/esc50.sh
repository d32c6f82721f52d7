#!/usr/bin/env bash
# ESC-50: 2000 five-second clips, 50 classes, 5 folds (github.com/karolpiczak/ESC-50, CC BY-NC 3.0).
# The publisher gives no checksum for the GitHub archive (it is generated per download), so none is checked.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
TARGET="$(usage_or_target "$(basename "$0")" "ESC-50 (~600 MB)" "$@")"

fetch "https://github.com/karolpiczak/ESC-50/archive/refs/heads/master.zip" "$TARGET/ESC-50-master.zip"
unpack_once "$TARGET/ESC-50-master.zip" "$TARGET" esc50
ROOT="$TARGET/ESC-50-master"
[[ -f "$ROOT/meta/esc50.csv" ]] || die "$ROOT/meta/esc50.csv missing after unpacking"
write_manifest esc50 "$ROOT"
log "done: $ROOT/manifest.csv (split = fold 1..5)"
