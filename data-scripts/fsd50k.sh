#!/usr/bin/env bash
# FSD50K: 51k clips, 200 AudioSet classes, multi-label (Zenodo record 4060432, CC BY 4.0 with per-clip licenses).
# MD5s as published on the Zenodo record. The audio comes as split zips (.zip + .z01..): they are merged with
# 'zip -s 0' before unzipping, which needs about twice the audio size (~50 GB) of free space while it runs.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
TARGET="$(usage_or_target "$(basename "$0")" "FSD50K (~25 GB download)" "$@")"
ZENODO="https://zenodo.org/records/4060432/files"
ROOT="$TARGET/FSD50K"
DL="$TARGET/downloads"
mkdir -p "$ROOT" "$DL"

declare -A MD5=(
  [FSD50K.ground_truth.zip]=ca27382c195e37d2269c4c866dd73485
  [FSD50K.metadata.zip]=b9ea0c829a411c1d42adb9da539ed237
  [FSD50K.dev_audio.zip]=c480d119b8f7a7e32fdb58f3ea4d6c5a
  [FSD50K.dev_audio.z01]=faa7cf4cc076fc34a44a479a5ed862a3
  [FSD50K.dev_audio.z02]=8f9b66153e68571164fb1315d00bc7bc
  [FSD50K.dev_audio.z03]=1196ef47d267a993d30fa98af54b7159
  [FSD50K.dev_audio.z04]=d088ac4e11ba53daf9f7574c11cccac9
  [FSD50K.dev_audio.z05]=81356521aa159accd3c35de22da28c7f
  [FSD50K.eval_audio.zip]=6fa47636c3a3ad5c7dfeba99f2637982
  [FSD50K.eval_audio.z01]=3090670eaeecc013ca1ff84fe4442aeb
)
for name in $(printf '%s\n' "${!MD5[@]}" | sort); do
  fetch "$ZENODO/$name?download=1" "$DL/$name" "${MD5[$name]}"
done

unpack_once "$DL/FSD50K.ground_truth.zip" "$ROOT" ground_truth
unpack_once "$DL/FSD50K.metadata.zip" "$ROOT" metadata
for part in dev eval; do
  marker="$ROOT/.${part}_audio.unpacked"
  if [[ ! -f "$marker" ]]; then
    need zip
    log "merging the split $part archive"
    rm -f "$DL/FSD50K.${part}_audio.merged.zip"
    zip -q -s 0 "$DL/FSD50K.${part}_audio.zip" --out "$DL/FSD50K.${part}_audio.merged.zip"
    unpack_once "$DL/FSD50K.${part}_audio.merged.zip" "$ROOT" "${part}_audio"
    rm -f "$DL/FSD50K.${part}_audio.merged.zip"
  fi
done
[[ -f "$ROOT/FSD50K.ground_truth/dev.csv" ]] || die "$ROOT/FSD50K.ground_truth/dev.csv missing after unpacking"
write_manifest fsd50k "$ROOT"
log "done: $ROOT/manifest.csv (splits train / val / test=eval)"
