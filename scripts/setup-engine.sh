#!/usr/bin/env bash
# Make the real Pulumi engine available offline and print the bin directory that holds it.
#
# Order: a cached build keyed by version; else a `pulumi` on PATH at the pinned version; else build
# the CLI from the Go module proxy in a throw-away wrapper module (pkg/v3's go.mod carries relative
# replace directives, so `go install pkg@version` is refused; inside a wrapper module they are
# ignored). The dynamic-provider shim `pulumi-resource-pulumi-python` is copied from the sdk/v3
# module, as Pulumi's own release packaging does. Nothing here contacts a download site.
#
# The Python language host (`pulumi-language-python`) is not built: the Go module proxy reachable
# here serves none of its versions. Programs are run through the Automation API's inline mode,
# whose language server lives in the Python process, so the engine never needs that binary.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# The one pin: the PyPI dependency `pulumi==N` in pyproject.toml; the engine is built at the same N.
version=$(sed -n 's/^ *"pulumi==\([0-9.]*\)".*/\1/p' "$here/pyproject.toml")
[ -n "$version" ] || { echo "setup-engine: no pulumi==N pin in pyproject.toml" >&2; exit 1; }
cache_root=${TOGETHER_PULUMI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/together-pulumi}
bin_dir="$cache_root/engine/v$version/bin"
log() { echo "setup-engine: $*" >&2; }

have_version() { # $1 = pulumi binary
  [ -x "$1" ] && [ "$("$1" version 2>/dev/null)" = "v$version" ]
}

complete() {
  have_version "$bin_dir/pulumi" && [ -x "$bin_dir/pulumi-resource-pulumi-python" ]
}

if complete; then
  echo "$bin_dir"
  exit 0
fi

if on_path=$(command -v pulumi 2>/dev/null) && have_version "$on_path" \
  && command -v pulumi-resource-pulumi-python >/dev/null 2>&1; then
  echo "$(dirname "$on_path")"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  log "no pulumi v$version on PATH and no Go toolchain to build it."
  log "Install Go >= 1.26.6 (what Pulumi's pkg/v3 module requires), or put pulumi v$version with"
  log "pulumi-resource-pulumi-python on PATH, then run make again."
  exit 1
fi

export GOFLAGS=-modcacherw CGO_ENABLED=0
work="$cache_root/engine/v$version/wrapper"
mkdir -p "$work" "$bin_dir"
start=$(date +%s)
log "building pulumi v$version from the Go module proxy (cold: 10-20 minutes on 2 cores)"
cd "$work"
[ -f go.mod ] || go mod init together-pulumi-engine-wrapper >/dev/null 2>&1
go get -tool "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$version" >&2
go get "github.com/pulumi/pulumi/sdk/v3@v$version" >&2
GOBIN="$bin_dir" go install -trimpath -tags osusergo,grpcnotrace \
  -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" tool >&2

sdk_dir=$(go list -m -f '{{.Dir}}' "github.com/pulumi/pulumi/sdk/v3")
install -m 0755 "$sdk_dir/python/dist/pulumi-resource-pulumi-python" "$bin_dir/"
log "built in $(( $(date +%s) - start ))s into $bin_dir"
complete || { log "build finished but $bin_dir/pulumi does not report v$version"; exit 1; }
echo "$bin_dir"
