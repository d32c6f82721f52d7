#!/usr/bin/env bash
# The GPU check of issue #12, in one script with two halves:
#
#   bash benchmarks/gpu-check.sh publish   # here, with the .NET SDK: the CLI as one self-contained, compressed file
#                                          # (no .NET needed where it runs) into benchmarks/gpu-check/ (git-ignored, < 64 MiB)
#   bash benchmarks/gpu-check.sh run       # on the CUDA machine, no SDK: device smoke test, parity of every device op
#                                          # family and of a whole training step with the CPU path at realistic sizes,
#                                          # training-step timings of the reference sub-networks (largest, smallest;
#                                          # batch 32 and 256), GEMM at 1024/2048/4096 cubed, the same step in PyTorch
#                                          # when it is installed there; a short table last. Under 5 minutes.
#   bash benchmarks/gpu-check.sh           # run when the published binary is there, else publish
#
# Without a GPU, `run --cpu-accelerator` runs the same checks at tiny sizes on ILGPU's CPU accelerator (seconds).
# Known risk: an upstream report says ILGPU 1.5.1 crashed on H100/H200 under Linux (1.5.3, used here, was reported
# working on an H100 under Windows): the smoke test comes first, and a crash is reported with its exit code.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
OUT="$HERE/gpu-check"
BIN="$OUT/aecofa"
MAX_BYTES=$((64 * 1024 * 1024))

publish() {
  set -e
  rm -rf "$OUT"
  dotnet publish "$ROOT/src/AecOfa.Cli" -c Release -r linux-x64 --self-contained true \
    -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true \
    -p:DebugType=none -p:GenerateDocumentationFile=false -o "$OUT"
  rm -f "$OUT"/*.xml "$OUT"/*.pdb
  local bytes
  bytes=$(du -cb "$OUT" | tail -1 | cut -f1)
  echo "published $BIN: $((bytes / 1024 / 1024)) MiB in $OUT"
  if [ "$bytes" -gt "$MAX_BYTES" ]; then
    echo "gpu-check: the published folder is $bytes bytes, over the 64 MiB a device run carries" >&2
    exit 1
  fi
  # The binary's own check on ILGPU's CPU accelerator: proves it starts and runs the device kernels without a GPU.
  "$BIN" gpu-check --device ilgpu-cpu --quick | tail -1
}

# The training step of the CPU-speed issue in PyTorch (same network, BCE, SGD Nesterov lr 0.01, dropout 0.1), timed
# the same way (median after warm-up, synchronized). Prints table rows; nothing when torch or CUDA is missing.
torch_peer() {
  python3 - "$@" <<'PY'
import sys, time, statistics
try:
    import torch
    import torch.nn as nn
except Exception as e:
    print(f"| torch | - | - | not installed ({type(e).__name__}) |"); sys.exit(0)
if not torch.cuda.is_available():
    print("| torch | - | - | no CUDA device visible to torch |"); sys.exit(0)
dev = torch.device("cuda")
torch.backends.cudnn.benchmark = True
torch.backends.cuda.matmul.allow_tf32 = False   # float32 SIMT, as the ILGPU kernels
torch.backends.cudnn.allow_tf32 = False

def div8(v, d=8):
    n = max(d, int(v + d / 2) // d * d)
    return n + d if n < 0.9 * v else n

class ConvBn(nn.Sequential):
    def __init__(s, cin, cout, k, stride, groups, act):
        layers = [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
        if act == "relu": layers.append(nn.ReLU())
        if act == "hswish": layers.append(nn.Hardswish())
        super().__init__(*layers)

class SE(nn.Module):
    def __init__(s, mid):
        super().__init__(); m = div8(mid // 4)
        s.reduce = nn.Conv2d(mid, m, 1); s.expand = nn.Conv2d(m, mid, 1)
    def forward(s, x):
        p = x.mean((2, 3), keepdim=True)
        return x * torch.nn.functional.hardsigmoid(s.expand(torch.relu(s.reduce(p))))

class MBConv(nn.Module):
    def __init__(s, cin, cout, k, stride, e, hs, se):
        super().__init__(); mid = div8(round(cin * e)); act = "hswish" if hs else "relu"
        s.expand = ConvBn(cin, mid, 1, 1, 1, act); s.depth = ConvBn(mid, mid, k, stride, mid, act)
        s.se = SE(mid) if se else None; s.project = ConvBn(mid, cout, 1, 1, 1, None)
        s.residual = stride == 1 and cin == cout
    def forward(s, x):
        y = s.depth(s.expand(x))
        if s.se is not None: y = s.se(y)
        y = s.project(y)
        return y + x if s.residual else y

class First(nn.Module):
    def __init__(s, c):
        super().__init__(); s.dw = ConvBn(c, c, 3, 1, c, "relu"); s.pw = ConvBn(c, c, 1, 1, 1, None)
    def forward(s, x): return s.pw(s.dw(x)) + x

def reference(depth, expand, kernel):
    widths, strides = [24, 40, 80, 112, 160], [2, 2, 2, 1, 2]
    hs, se = [False, False, True, True, True], [False, True, False, True, True]
    layers, cin = [ConvBn(1, 16, 3, 2, 1, "hswish"), First(16)], 16
    for st in range(5):
        for j in range(depth):
            layers.append(MBConv(cin, widths[st], kernel, strides[st] if j == 0 else 1, expand, hs[st], se[st])); cin = widths[st]
    layers.append(ConvBn(cin, 960, 1, 1, 1, "hswish"))
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(960, 1280, bias=False), nn.Hardswish(),
                         nn.Dropout(0.1), nn.Linear(1280, 10))

for name, (d, e, k), expected in [("largest", (4, 6, 7), 6_396_282), ("smallest", (2, 3, 3), 2_142_314)]:
    net = reference(d, e, k).to(dev).train()
    params = sum(p.numel() for p in net.parameters())
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, nesterov=True)
    loss_fn = nn.BCEWithLogitsLoss()
    for batch in (32, 256):
        x = torch.randn(batch, 1, 64, 100); y = (torch.rand(batch, 10) < 0.3).float()
        def step():
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(x.to(dev, non_blocking=True)), y.to(dev, non_blocking=True))
            loss.backward(); opt.step()
            return loss.item()          # the loss comes back: the step is complete
        for _ in range(3): step()
        times = []
        for _ in range(10):
            t0 = time.perf_counter(); step(); times.append(time.perf_counter() - t0)
        s = statistics.median(times)
        note = "" if params == expected else f", {params} params (expected {expected})"
        print(f"| torch {torch.__version__} train step {name}, batch {batch} | {s * 1e3:.4g} | ms/step | {batch / s:.0f} samples/s{note} |")
PY
}

run() {
  local device=cuda quick=()
  if [ "${1:-}" = "--cpu-accelerator" ]; then device=ilgpu-cpu; quick=(--quick); fi
  if [ ! -x "$BIN" ]; then
    echo "gpu-check: $BIN not found; publish it first where the .NET SDK is: bash benchmarks/gpu-check.sh publish" >&2
    exit 2
  fi
  local log
  log="$(mktemp)"
  echo "== machine"
  (nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "nvidia-smi: not available") | sed 's/^/  /'
  echo "== aecofa gpu-check --device $device ${quick[*]}"
  # 4 minutes for the .NET checks, the rest for PyTorch: the whole script stays under 5 minutes.
  timeout 240 "$BIN" gpu-check --device "$device" "${quick[@]}" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  case $rc in
    0) ;;
    1) echo "gpu-check: a parity check failed (see FAIL above)" ;;
    2) echo "gpu-check: the device could not be opened (message above)" ;;
    124) echo "gpu-check: timed out after 240 s; the rows above are what finished" ;;
    *) echo "gpu-check: aecofa exited with code $rc (a crash: signal $((rc > 128 ? rc - 128 : 0))); the rows above are what finished" ;;
  esac
  local torch_rows=""
  if [ "$device" = cuda ] && command -v python3 >/dev/null 2>&1; then
    echo "== PyTorch, the same training step"
    torch_rows="$(timeout 50 bash -c "$(declare -f torch_peer); torch_peer" 2>&1 | grep '^|' || true)"
  fi
  echo
  echo "== summary (aecofa exit code $rc)"
  echo "| check | value | unit | status |"
  echo "|---|---:|---|---|"
  grep -E '^\| (smoke|parity training step|train step|GEMM [0-9])|\| FAIL \|$' "$log" || echo "| aecofa | - | - | no rows (exit code $rc) |"
  [ -n "$torch_rows" ] && echo "$torch_rows"
  rm -f "$log"
  return "$rc"
}

case "${1:-auto}" in
  publish) publish ;;
  run) shift; run "$@" ;;
  auto) if [ -x "$BIN" ]; then run; else publish; fi ;;
  *) echo "usage: bash benchmarks/gpu-check.sh [publish | run [--cpu-accelerator]]" >&2; exit 2 ;;
esac
