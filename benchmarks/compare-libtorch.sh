#!/usr/bin/env bash
# Interleaved A/B of the batch-32 training step: the libtorch peer (shared/peers/torch, TorchSharp = libtorch 2.10)
# against AecOfa's step breakdown tool, on the same machine, round after round, so that both see the same host load.
# The host's load moves both by up to 40% within minutes: only pairs taken back to back mean anything.
#
# usage: benchmarks/compare-libtorch.sh [--rounds N] [--subnets smallest,largest] [--threads 1,2]
#                                       [--network port|static|supernet] [--width W] [--input MELSxFRAMES]
#                                       [--peer DIR] [--peer-build DIR] [--log FILE]
#   --width W, --input MELSxFRAMES  OFA width multiplier and log-mel input size, passed to both sides (the ultra-small
#                     regime of the demo: --width 0.25 --input 32x51 or 64x101); with them --network defaults to static
#   --peer DIR        the peer's sources (default: ../shared/peers/torch next to the repository)
#   --peer-build DIR  an already built copy of the peer (skips copying and building; its bin/ is ~480 MB)
#   --log FILE        also append every raw line to FILE
# Needs the NuGet registry the first time (the peer restores ~1.4 GB of libtorch packages into ~/.nuget).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
rounds=3 subnets=smallest,largest threads=1,2 network="" width="" input=""
peer_src="$root/../shared/peers/torch" peer_build="" log=/dev/null
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --subnets) subnets=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --network) network=$2; shift 2 ;;
    --width) width=$2; shift 2 ;;
    --input) input=$2; shift 2 ;;
    --peer) peer_src=$2; shift 2 ;;
    --peer-build) peer_build=$2; shift 2 ;;
    --log) log=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "compare-libtorch.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$rounds" in ''|*[!0-9]*) echo "compare-libtorch.sh: --rounds must be a positive integer, got '$rounds'" >&2; exit 2 ;; esac
shape=()
[ -n "$width" ] && shape+=(--width "$width")
[ -n "$input" ] && shape+=(--input "$input")
if [ -z "$network" ]; then if [ ${#shape[@]} -gt 0 ]; then network=static; else network=port; fi; fi

if [ -z "$peer_build" ]; then
  if [ ! -f "$peer_src/TorchPeer.csproj" ]; then
    echo "compare-libtorch.sh: no peer at '$peer_src' (expected TorchPeer.csproj); pass --peer DIR" >&2; exit 2
  fi
  peer_build=$(mktemp -d /tmp/aecofa-torchpeer.XXXXXX)
  trap 'rm -rf "$peer_build"' EXIT
  cp -r "$peer_src"/. "$peer_build"/
  rm -rf "$peer_build/bin" "$peer_build/obj"
  echo "building the libtorch peer in $peer_build ..."
  (cd "$peer_build" && dotnet build -c Release >/dev/null)
fi
echo "building AecOfa.Benchmarks ..."
dotnet build "$root/benchmarks/AecOfa.Benchmarks" -c Release >/dev/null

torch_sps() { # subnet threads -> median samples/s of 3 x 30 steps
  local out
  out=$(cd "$peer_build" && dotnet run -c Release --no-build -- --subnets "$1" --threads "$2" --steps 30 --repeats 3 ${shape[@]+"${shape[@]}"} 2>&1) || true
  printf '%s\n' "$out" >> "$log"
  printf '%s\n' "$out" | grep 'train b32' | head -n 1 | sed -E 's/.*median ([0-9.]+).*/\1/'
}
ours_sps() { # subnet threads -> samples/s over 30 steps after 30 warm-up steps (tiered JIT settles)
  local out
  out=$(dotnet run -c Release --no-build --project "$root/benchmarks/AecOfa.Benchmarks" -- breakdown "$1" --network "$network" \
    --threads "$2" --steps 30 --warmup 30 ${shape[@]+"${shape[@]}"} 2>&1) || true
  printf '%s\n' "$out" >> "$log"
  printf '%s\n' "$out" | grep '^==' | head -n 1 | sed -E 's/.*: ([0-9.]+) samples\/s.*/\1/'
}

results=$(mktemp)
echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), $(nproc) CPUs; width ${width:-1.0}, input ${input:-64x100}"
echo "round  time      subnet    threads  libtorch  AecOfa($network)  ratio"
for r in $(seq 1 "$rounds"); do
  for s in ${subnets//,/ }; do
    for t in ${threads//,/ }; do
      if [ $((r % 2)) -eq 1 ]; then a=$(torch_sps "$s" "$t"); b=$(ours_sps "$s" "$t")
      else b=$(ours_sps "$s" "$t"); a=$(torch_sps "$s" "$t"); fi
      if [ -z "$a" ] || [ -z "$b" ]; then
        echo "compare-libtorch.sh: a run printed no samples/s (libtorch '$a', AecOfa '$b'); raw output in --log" >&2; exit 1
      fi
      ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }')
      printf "%-6s %-9s %-9s %-8s %-9s %-16s %s\n" "$r" "$(date -u +%H:%M:%S)" "$s" "$t" "$a" "$b" "$ratio"
      echo "$s $t $ratio" >> "$results"
    done
  done
done
echo "median ratio (AecOfa / libtorch) per subnet and thread count:"
sort -k1,1 -k2,2n -k3,3n "$results" | awk '
  { key = $1 " " $2; v[key, ++n[key]] = $3; keys[key] = 1 }
  END { for (k in keys) { m = n[k]; med = (m % 2) ? v[k, (m + 1) / 2] : (v[k, m / 2] + v[k, m / 2 + 1]) / 2;
        printf "  %-18s %.2fx over %d round(s)\n", k " thr", med, m } }' | sort
rm -f "$results"
