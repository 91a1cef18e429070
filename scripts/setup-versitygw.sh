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
  # (Its output is read whole before grep: `--version | grep -q` under pipefail fails at random when
  # grep exits after the first line and versitygw's later lines get SIGPIPE.)
  local reported
  [ -x "$1" ] && reported=$("$1" --version 2>/dev/null) && grep -q "v$version\b" <<<"$reported"
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
# Built beside the cache and moved into place in one rename, so that another test process checking
# the cache meanwhile never runs a half-written binary.
build_dir=$(mktemp -d "$bin_dir/.build.XXXXXX")
trap 'rm -rf "$build_dir"' EXIT
# The version string the binary reports (`versitygw --version`) comes from these variables.
ldflags="-s -w -X main.Version=v$version"
GOFLAGS=-modcacherw CGO_ENABLED=0 GOBIN="$build_dir" \
  go install -trimpath -ldflags "$ldflags" "github.com/versity/versitygw/cmd/versitygw@v$version" >&2
have_version "$build_dir/versitygw" || { log "the build finished but the binary does not report v$version"; exit 1; }
mv -f "$build_dir/versitygw" "$bin_dir/versitygw"
log "ready in $(( $(date +%s) - start ))s: $bin_dir/versitygw"
echo "$bin_dir/versitygw"
