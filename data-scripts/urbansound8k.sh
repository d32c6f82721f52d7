#!/usr/bin/env bash
# UrbanSound8K: 8732 clips (<= 4 s), 10 classes, 10 folds (Zenodo record 1203745, CC BY-NC 3.0).
# MD5 as published on the Zenodo record.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
TARGET="$(usage_or_target "$(basename "$0")" "UrbanSound8K (~6 GB)" "$@")"

fetch "https://zenodo.org/records/1203745/files/UrbanSound8K.tar.gz?download=1" "$TARGET/UrbanSound8K.tar.gz" \
  9aa69802bbf37fb986f71ec1483a196e
unpack_once "$TARGET/UrbanSound8K.tar.gz" "$TARGET" urbansound8k
ROOT="$TARGET/UrbanSound8K"
[[ -f "$ROOT/metadata/UrbanSound8K.csv" ]] || die "$ROOT/metadata/UrbanSound8K.csv missing after unpacking"
write_manifest urbansound8k "$ROOT"
log "done: $ROOT/manifest.csv (split = fold 1..10)"
