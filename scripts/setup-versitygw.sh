#!/usr/bin/env bash
# Make versitygw (an S3-compatible object store server, Apache-2.0) available and print its path.
#
# The team-backend tests run Pulumi's s3:// backend against a real object store server process:
# versitygw serving a temporary directory with its `posix` backend on a loopback port. It is built
# from the Go module proxy with `go install` into a cache directory keyed by version (about a minute
# cold, one binary), the way scripts/setup-engine.sh builds the engine. Nothing here contacts a
# download site.
#
# Order: the cached build; else a `versitygw` on PATH at the pinned version; else build.
set -euo pipefail

version=${TOGETHER_PULUMI_VERSITYGW_VERSION:-1.8.0}
cache_root=${TOGETHER_PULUMI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/together-pulumi}
bin_dir="$cache_root/versitygw/v$version/bin"
log() { echo "setup-versitygw: $*" >&2; }

have_version() { # $1 = a versitygw binary
  [ -x "$1" ] && "$1" --version 2>/dev/null | grep -q "v$version\b"
}

if have_version "$bin_dir/versitygw"; then
  echo "$bin_dir/versitygw"
  exit 0
fi

if on_path=$(command -v versitygw 2>/dev/null) && have_version "$on_path"; then
  echo "$on_path"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  log "no versitygw v$version (the S3-compatible server of the team-backend tests) and no Go toolchain"
  log "to build one. Install Go >= 1.25 (what versitygw v$version requires), or put versitygw v$version"
  log "on PATH, then run make again."
  exit 1
fi

mkdir -p "$bin_dir"
start=$(date +%s)
log "building versitygw v$version from the Go module proxy (cold: about a minute)"
# The version string the binary reports (`versitygw --version`) comes from these variables.
ldflags="-s -w -X main.Version=v$version"
GOFLAGS=-modcacherw CGO_ENABLED=0 GOBIN="$bin_dir" \
  go install -trimpath -ldflags "$ldflags" "github.com/versity/versitygw/cmd/versitygw@v$version" >&2
have_version "$bin_dir/versitygw" || { log "the build finished but $bin_dir/versitygw does not report v$version"; exit 1; }
log "ready in $(( $(date +%s) - start ))s: $bin_dir/versitygw"
echo "$bin_dir/versitygw"
