#!/usr/bin/env bash
# Google Speech Commands v0.02: 105k one-second utterances of 35 words (CC BY 4.0).
# The publisher gives no checksum for the archive, so none is checked.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
TARGET="$(usage_or_target "$(basename "$0")" "Speech Commands v0.02 (~2.3 GB)" "$@")"
ROOT="$TARGET/speech_commands_v0.02"

fetch "http://download.tensorflow.org/data/speech_commands_v0.02.tar.gz" "$TARGET/speech_commands_v0.02.tar.gz"
unpack_once "$TARGET/speech_commands_v0.02.tar.gz" "$ROOT" speech_commands   # the archive has no top folder
[[ -f "$ROOT/testing_list.txt" ]] || die "$ROOT/testing_list.txt missing after unpacking"
write_manifest speechcommands "$ROOT"
log "done: $ROOT/manifest.csv (splits train / val / test from the lists; _background_noise_ excluded)"
