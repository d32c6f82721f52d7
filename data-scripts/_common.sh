#!/usr/bin/env bash
# Shared helpers for the dataset scripts (sourced, not run). Each script: <script> TARGET_DIR
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

die() { echo "error: $*" >&2; exit 1; }
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

need() { command -v "$1" >/dev/null 2>&1 || die "'$1' is required but not installed"; }

# usage_or_target "$@" -> prints the absolute target dir; prints usage and exits on -h/--help or no argument.
usage_or_target() {
  local name="$1" what="$2"; shift 2
  if [[ $# -ne 1 || "$1" == "-h" || "$1" == "--help" ]]; then
    cat >&2 <<USAGE
usage: $name TARGET_DIR
  Downloads $what into TARGET_DIR (created if needed), verifies the publisher's checksums where published,
  unpacks (skipped when already unpacked) and writes manifest.csv + classes.txt via
  'dotnet run -c Release --project src/AecOfa.Cli -- manifest'. Safe to re-run: finished steps are skipped.
USAGE
    exit 2
  fi
  mkdir -p "$1"
  (cd "$1" && pwd)
}

# md5_ok FILE MD5 -> success when FILE exists and has that MD5.
md5_ok() {
  [[ -f "$1" ]] && [[ "$(md5sum "$1" | cut -d' ' -f1)" == "$2" ]]
}

# fetch URL DEST [MD5]: download with retries and resume; skip when DEST is already there (and matches MD5).
fetch() {
  local url="$1" dest="$2" md5="${3:-}"
  if [[ -f "$dest" ]]; then
    if [[ -z "$md5" ]] || md5_ok "$dest" "$md5"; then
      log "have $(basename "$dest")"
      return 0
    fi
    log "$(basename "$dest") fails its checksum; downloading again"
    rm -f "$dest"
  fi
  need curl
  log "downloading $url"
  curl -fL --retry 8 --retry-delay 5 --retry-connrefused --connect-timeout 30 -C - -o "$dest.part" "$url"
  if [[ -n "$md5" ]] && ! md5_ok "$dest.part" "$md5"; then
    rm -f "$dest.part"
    die "checksum mismatch for $(basename "$dest") (expected md5 $md5); the partial file was removed, re-run to retry"
  fi
  mv "$dest.part" "$dest"
}

# unpack_once ARCHIVE DIR MARKER_NAME: extract into DIR unless DIR/.MARKER_NAME.unpacked exists.
unpack_once() {
  local archive="$1" dir="$2" marker="$2/.$3.unpacked"
  if [[ -f "$marker" ]]; then
    log "already unpacked $(basename "$archive")"
    return 0
  fi
  mkdir -p "$dir"
  log "unpacking $(basename "$archive")"
  case "$archive" in
    *.tar.gz|*.tgz) tar -xzf "$archive" -C "$dir" ;;
    *.zip) need unzip; unzip -q -o "$archive" -d "$dir" ;;
    *) die "unknown archive type: $archive" ;;
  esac
  touch "$marker"
}

# write_manifest FORMAT ROOT: runs the aecofa converter (manifest.csv + classes.txt into ROOT).
write_manifest() {
  need dotnet
  log "writing manifest ($1) for $2"
  dotnet run -c Release --project "$REPO/src/AecOfa.Cli" -- manifest --format "$1" --root "$2" --out "$2"
}
