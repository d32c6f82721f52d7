#!/usr/bin/env bash
# AudioSet: fetches the segment lists and class index (CC BY 4.0). The audio itself lives on YouTube and cannot be
# downloaded here: bring your own copy (see data-scripts/README.md), then re-run this script to write the manifest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
TARGET="$(usage_or_target "$(basename "$0")" "the AudioSet CSVs (~100 MB)" "$@")"
BASE="http://storage.googleapis.com/us_ytid"

for name in class_labels_indices balanced_train_segments unbalanced_train_segments eval_segments; do
  fetch "$BASE/$name.csv" "$TARGET/$name.csv"
done
mkdir -p "$TARGET/audio"

if [[ -z "$(find "$TARGET/audio" -type f -iname '*.wav' -print -quit)" ]]; then
  cat >&2 <<MSG
No audio under $TARGET/audio yet. Put the clips you downloaded there as 16-bit or float WAV, one file per segment,
named {YTID}_{start}.wav (e.g. --PJHxphWEs_30.wav or --PJHxphWEs_30.000.wav), {YTID}_{start}_{end}.wav,
{YTID}.wav or Y{YTID}.wav, in any sub-folders (e.g. audio/balanced_train/, audio/eval/); names must be unique.
Then re-run: $0 $TARGET
MSG
  exit 0
fi
write_manifest audioset "$TARGET"
log "done: $TARGET/manifest.csv (splits balanced_train / unbalanced_train / eval; segments without audio are left out and counted)"
