#!/usr/bin/env bash
# Leave-one-speaker-out on the four-speaker spoken-digit set (../shared/data/fsdd-4speakers.tar.gz): for each speaker,
# train on the other three (validation carved from them) and test on the held-out one, with the recipe's defaults:
#   supernet (aecofa train, sandwich) -> its largest sub-network; standalone baseline of the largest architecture;
#   logistic regression on per-clip log-mel mean/std (the baseline to beat).
# Usage: benchmarks/fsdd-loso.sh [WORK_DIR] [extra aecofa train options...]   (not run in CI: ~20-40 min on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="${1:-/tmp/fsdd-loso}"; shift || true
TAR="../shared/data/fsdd-4speakers.tar.gz"
[[ -f "$TAR" ]] || { echo "missing $TAR" >&2; exit 2; }
mkdir -p "$WORK/data"
[[ -d "$WORK/data/train" ]] || tar xzf "$TAR" -C "$WORK/data"
dotnet build -c Release src/AecOfa.Cli -o "$WORK/bin" >/dev/null
dotnet build -c Release benchmarks/AecOfa.Benchmarks -o "$WORK/benchbin" >/dev/null
A=(dotnet "$WORK/bin/aecofa.dll")
ls "$WORK/data/train" | sort > "$WORK/data/classes.txt"
for speaker in george jackson lucas nicolas; do
  m="$WORK/data/loso-$speaker.csv"
  { echo "path,labels,split"
    for f in "$WORK"/data/train/*/*.wav; do
      rel="${f#"$WORK/data/"}"; name="$(basename "$f" .wav)"; digit="${name%%_*}"; rest="${name#*_}"; spk="${rest%%_*}"
      if [[ "$spk" == "$speaker" ]]; then echo "$rel,$digit,test"; else echo "$rel,$digit,train"; fi
    done; } > "$m"
  echo "== fold: test speaker $speaker"
  dotnet "$WORK/benchbin/AecOfa.Benchmarks.dll" logreg "$m" | tee "$WORK/logreg-$speaker.txt"
  "${A[@]}" train --manifest "$m" --out "$WORK/supernet-$speaker" --cache "$WORK/features-$speaker.cache" "$@" > "$WORK/supernet-$speaker.log" 2>&1
  "${A[@]}" train --manifest "$m" --out "$WORK/standalone-$speaker" --strategy standalone --arch largest --cache "$WORK/features-$speaker.cache" "$@" > "$WORK/standalone-$speaker.log" 2>&1
  grep -E "^(largest|smallest|network):" "$WORK/supernet-$speaker.log" "$WORK/standalone-$speaker.log"
done
