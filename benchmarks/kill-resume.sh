#!/usr/bin/env bash
# Real kill -9 / --resume check of `aecofa train` (issue 9: a run folder survives kill -9 at ANY moment and reaches the
# same final weights as an uninterrupted run, bitwise, on the same machine and thread count).
#
# Builds the CLI, writes a tiny synthetic dataset (aecofa synth), trains an uninterrupted reference run, then N times:
# starts the same run in another folder, kill -9's it after a random delay (up to --max-kills times, each time after
# a resume too), resumes with --resume until it finishes, and compares with the reference:
#   - every tensor of checkpoint.safetensors (weights, BN statistics, optimizer state) byte for byte (the file's
#     sha256 is not enough: its metadata holds each epoch's wall-clock seconds),
#   - results.json "networks" (validation and test metrics per network and per class),
#   - metrics.jsonl without the "seconds" field (losses per role, learning rate, validation metrics per epoch).
# A checkpoint is written after every step (config "checkpointEverySteps": 1), so kills land between any two steps.
#
# usage: benchmarks/kill-resume.sh [--runs N] [--epochs E] [--strategy S] [--seed SEED] [--max-kills K]
#                                  [--min-delay SECONDS] [--work DIR] [--keep]
#   --runs N         killed-and-resumed runs to compare (default 3)
#   --epochs E       epochs of every run (default 3)
#   --strategy S     full | sandwich (default sandwich; both train a supernet from scratch)
#   --seed SEED      seeds the random kill delays (default 1)
#   --max-kills K    kills per run at most; the last resume then runs to the end (default 2)
#   --min-delay S    shortest delay before a kill, in seconds (default 3: past the CLI's start-up)
#   --work DIR       working folder (default: a new temporary folder, removed at the end unless --keep)
# Needs: dotnet, python3. Exit status 0 only when every run matches the reference.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
runs=3 epochs=3 strategy=sandwich seed=1 max_kills=2 min_delay=3 work="" keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --strategy) strategy=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --max-kills) max_kills=$2; shift 2 ;;
    --min-delay) min_delay=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "kill-resume.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for v in runs epochs seed max_kills min_delay; do
  case "${!v}" in ''|*[!0-9]*) echo "kill-resume.sh: --${v//_/-} must be a non-negative integer, got '${!v}'" >&2; exit 2 ;; esac
done
case "$strategy" in full|sandwich) ;; *) echo "kill-resume.sh: --strategy must be full or sandwich, got '$strategy'" >&2; exit 2 ;; esac
command -v python3 >/dev/null || { echo "kill-resume.sh: needs python3 for the tensor comparison" >&2; exit 2; }

if [ -z "$work" ]; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/aecofa-kill-resume.XXXXXX")
  [ "$keep" = 1 ] || trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

echo "== build (Release)"
dotnet build "$root/src/AecOfa.Cli" -c Release -v q -nologo >"$work/build.log" 2>&1 || { tail -20 "$work/build.log"; exit 1; }
cli="$root/src/AecOfa.Cli/bin/Release/net10.0/aecofa.dll"
[ -f "$cli" ] || { echo "kill-resume.sh: $cli not found after the build" >&2; exit 1; }
aecofa() { dotnet "$cli" "$@"; }

data="$work/data"
if [ ! -f "$data/manifest.csv" ]; then
  echo "== synth: 96 train / 32 val / 32 test clips of 1 s"
  aecofa synth --out "$data" --train 96 --val 32 --test 32 --seconds 1 >"$work/synth.log" 2>&1 || { tail -20 "$work/synth.log"; exit 1; }
fi

# Small and quick, but the real CLI path: default space at width x0.25 on 32 mel bins, a checkpoint after every step.
config="$work/train.json"
cat >"$config" <<EOF
{
  "strategy": "$strategy",
  "epochs": $epochs,
  "batchSize": 16,
  "widthMultiplier": 0.25,
  "elasticResolution": false,
  "recalibrationClips": 64,
  "checkpointEverySteps": 1,
  "data": { "melBins": 32 }
}
EOF
train() { aecofa train --manifest "$data" --config "$config" --out "$@"; }

echo "== reference run (uninterrupted)"
start=$(date +%s)
train "$work/R0" >"$work/R0.log" 2>&1 || { tail -20 "$work/R0.log"; exit 1; }
ref_seconds=$(( $(date +%s) - start ))
echo "   $ref_seconds s"
max_delay=$(( ref_seconds > min_delay + 1 ? ref_seconds : min_delay + 1 ))

compare() { # compare REF RUN: prints one line, exit status 0 when identical
  python3 - "$1" "$2" <<'PY'
import json, struct, sys

def tensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    header.pop("__metadata__", None)
    return {name: (h["dtype"], tuple(h["shape"]), data[h["data_offsets"][0]:h["data_offsets"][1]]) for name, h in header.items()}

def metrics(path):
    lines = []
    for line in open(path):
        if line.strip():
            row = json.loads(line)
            row.pop("seconds", None)
            lines.append(row)
    return lines

ref, run = sys.argv[1], sys.argv[2]
problems = []
a, b = tensors(ref + "/checkpoint.safetensors"), tensors(run + "/checkpoint.safetensors")
if sorted(a) != sorted(b):
    problems.append(f"tensor names differ: {sorted(set(a) ^ set(b))[:5]}")
differing = [k for k in a if k in b and a[k] != b[k]]
if differing:
    problems.append(f"{len(differing)} of {len(a)} tensors differ, e.g. {differing[:3]}")
ra = json.load(open(ref + "/results.json"))["networks"]
rb = json.load(open(run + "/results.json"))["networks"]
if ra != rb:
    problems.append("results.json networks differ")
if metrics(ref + "/metrics.jsonl") != metrics(run + "/metrics.jsonl"):
    problems.append("metrics.jsonl (without seconds) differs")
print(("IDENTICAL: " if not problems else "DIFFERENT: ") + (f"{len(a)} tensors bitwise, results.json networks, metrics.jsonl" if not problems else "; ".join(problems)))
sys.exit(1 if problems else 0)
PY
}

RANDOM=$seed
failed=0
for i in $(seq 1 "$runs"); do
  out="$work/R$i"
  rm -rf "$out"
  kills=0 attempts=0 resume=()
  echo "== run $i"
  while :; do
    attempts=$((attempts + 1))
    # dotnet itself in the background (not a function or subshell), so that $! is the process kill -9 hits
    dotnet "$cli" train --manifest "$data" --config "$config" --out "$out" "${resume[@]}" >>"$out.log" 2>&1 &
    pid=$!
    if [ "$kills" -lt "$max_kills" ]; then
      delay=$(( min_delay + RANDOM % (max_delay - min_delay + 1) ))
      waited=0
      while [ "$waited" -lt "$delay" ] && kill -0 "$pid" 2>/dev/null; do sleep 1; waited=$((waited + 1)); done
      if kill -0 "$pid" 2>/dev/null; then
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        kills=$((kills + 1))
        step=$(python3 -c "import json,struct,sys
f=open(sys.argv[1],'rb'); n=struct.unpack('<Q',f.read(8))[0]; m=json.loads(f.read(n)).get('__metadata__',{})
print(m.get('train.step','?'), 'of', m.get('train.total_steps','?'))" "$out/checkpoint.safetensors" 2>/dev/null || echo "no checkpoint yet")
        echo "   kill -9 after ${delay}s (attempt $attempts); last checkpoint at step $step"
        resume=(--resume)
        continue
      fi
    fi
    if wait "$pid"; then break; fi
    echo "   attempt $attempts exited with an error:"; tail -5 "$out.log"
    failed=1
    continue 2
  done
  echo "   finished after $kills kill(s), $attempts start(s)"
  if compare "$work/R0" "$out" | sed 's/^/   /'; then :; else failed=1; fi
  grep -q "resumed from" "$out.log" || echo "   note: no resume happened in run $i (it finished before the kill)"
done

[ "$keep" = 1 ] && echo "work folder kept: $work"
if [ "$failed" = 0 ]; then echo "kill-resume: all $runs run(s) identical to the uninterrupted reference"; else echo "kill-resume: MISMATCH (see above)"; fi
exit "$failed"
