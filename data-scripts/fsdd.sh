#!/usr/bin/env bash
# Free Spoken Digit Dataset v1.0.10: 3000 recordings of digits 0-9, 8 kHz (CC BY-SA 4.0).
# The publisher gives no checksum for the GitHub release archive, so none is checked.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
TARGET="$(usage_or_target "$(basename "$0")" "FSDD v1.0.10 (~10 MB)" "$@")"
VERSION=1.0.10

fetch "https://github.com/Jakobovski/free-spoken-digit-dataset/archive/refs/tags/v$VERSION.zip" "$TARGET/fsdd-$VERSION.zip"
unpack_once "$TARGET/fsdd-$VERSION.zip" "$TARGET" fsdd
ROOT="$TARGET/free-spoken-digit-dataset-$VERSION"
[[ -d "$ROOT/recordings" ]] || die "$ROOT/recordings missing after unpacking"
write_manifest fsdd "$ROOT"
log "done: $ROOT/manifest.csv (split: index 0-4 test, else train)"
