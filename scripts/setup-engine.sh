#!/usr/bin/env bash
# Make the real Pulumi engine available offline and print the bin directory that holds it.
#
# The bin directory holds the four programs a `pulumi up` of a Python program needs, side by side:
#   pulumi                          the CLI and engine
#   pulumi-language-python          the Python language host (runs the program, and policy packs)
#   pulumi-language-python-exec     the host's executor script (must sit beside the host)
#   pulumi-resource-pulumi-python   the dynamic-provider plugin
#
# Order: a cached build keyed by version, used only when all four are there; else a `pulumi` on PATH
# at the pinned version with the other three beside it; else build into the cache:
# - the CLI from the Go module proxy, in a throw-away wrapper module (pkg/v3's go.mod carries
#   relative replace directives, so `go install pkg@version` is refused; in a wrapper they are not);
# - the language host from the Go module proxy at the pinned release's commit, and when the proxy
#   refuses it (the one reachable here does), from a local copy of its source: the directory named
#   by TOGETHER_PULUMI_LANGUAGE_HOST_SRC, else ../shared/third_party/pulumi-language-python. That
#   source is a build input like any dependency: it is built in the cache, never copied into this
#   repository.
# - the two scripts are copied from the sdk/v3 module, as Pulumi's own release packaging does.
# Nothing here contacts a download site.
#
# Then the language hosts of the other languages a program using the component plugin (plugin/) may be
# written in: pulumi-language-nodejs, pulumi-language-go and pulumi-language-yaml, cached beside the
# rest (scripts/language-hosts.sh). They are optional: without them, or without Go to build them, the
# Python path works and the multi-language tests fail saying what to install.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# The one pin: the PyPI dependency `pulumi==N` in pyproject.toml; the engine is built at the same N.
version=$(sed -n 's/^ *"pulumi==\([0-9.]*\)".*/\1/p' "$here/pyproject.toml")
[ -n "$version" ] || { echo "setup-engine: no pulumi==N pin in pyproject.toml" >&2; exit 1; }
cache_root=${TOGETHER_PULUMI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/together-pulumi}
bin_dir="$cache_root/engine/v$version/bin"
programs=(pulumi pulumi-language-python pulumi-language-python-exec pulumi-resource-pulumi-python)
log() { echo "setup-engine: $*" >&2; }

have_version() { # $1 = pulumi binary (its log file goes to the cache, not the user's ~/.pulumi)
  [ -x "$1" ] && [ "$(PULUMI_HOME="$cache_root/pulumi-home" "$1" version 2>/dev/null)" = "v$version" ]
}

complete() { # $1 = a bin directory
  have_version "$1/pulumi" || return 1
  local program
  for program in "${programs[@]}"; do [ -x "$1/$program" ] || return 1; done
}

# shellcheck source=language-hosts.sh
source "$here/scripts/language-hosts.sh"

if complete "$bin_dir"; then
  languages_complete "$bin_dir" || build_language_hosts
  echo "$bin_dir"
  exit 0
fi

if on_path=$(command -v pulumi 2>/dev/null) && complete "$(dirname "$on_path")"; then
  dirname "$on_path"
  exit 0
fi

language_host_src=${TOGETHER_PULUMI_LANGUAGE_HOST_SRC:-}
if [ -z "$language_host_src" ] && [ -f "$here/../shared/third_party/pulumi-language-python/main.go" ]; then
  language_host_src=$(cd "$here/../shared/third_party/pulumi-language-python" && pwd)
fi

if ! command -v go >/dev/null 2>&1; then
  log "no complete Pulumi v$version installation on PATH and no Go toolchain to build one."
  log "Install Go >= 1.26.6 (what Pulumi's pkg/v3 module requires), or put pulumi v$version with"
  log "pulumi-language-python, pulumi-language-python-exec and pulumi-resource-pulumi-python beside it"
  log "on PATH (a standard Pulumi installation has all four), then run make again."
  exit 1
fi

export GOFLAGS=-modcacherw CGO_ENABLED=0
ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version"
work="$cache_root/engine/v$version/wrapper"
mkdir -p "$work" "$bin_dir"
start=$(date +%s)

if ! have_version "$bin_dir/pulumi"; then
  log "building pulumi v$version from the Go module proxy (cold: about 4 minutes on 2 cores)"
  (
    cd "$work"
    [ -f go.mod ] || go mod init together-pulumi-engine-wrapper >/dev/null 2>&1
    go get -tool "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$version" >&2
    go get "github.com/pulumi/pulumi/sdk/v3@v$version" >&2
    GOBIN="$bin_dir" go install -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" \
      github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
  )
fi
sdk_dir=$(cd "$work" && go list -m -f '{{.Dir}}' "github.com/pulumi/pulumi/sdk/v3")

build_language_host_from_proxy() {
  # The language host is its own module with only pseudo-versions; ask for the release's commit.
  local commit
  commit=$(cd "$work" && go mod download -json "github.com/pulumi/pulumi/sdk/v3@v$version" 2>/dev/null \
    | sed -n 's/^[[:space:]]*"Hash": "\([0-9a-f]\{40\}\)".*/\1/p' | head -n 1)
  if [ -z "$commit" ]; then
    log "the Go module proxy names no commit for sdk/v3@v$version, so pulumi-language-python cannot be asked for"
    return 1
  fi
  local module=github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3
  local dir="$cache_root/engine/v$version/language-host-proxy"
  rm -rf "$dir" && mkdir -p "$dir"
  (
    cd "$dir"
    go mod init together-pulumi-language-host-wrapper >/dev/null 2>&1
    go get -tool "$module@$commit" >/dev/null 2>&1 || { log "the Go module proxy refuses $module@$commit"; exit 1; }
    go get "github.com/pulumi/pulumi/pkg/v3@v$version" "github.com/pulumi/pulumi/sdk/v3@v$version" >&2
    GOBIN="$bin_dir" go install -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" "$module" >&2
  )
}

build_language_host_from_source() { # $1 = directory holding main.go
  local dir="$cache_root/engine/v$version/language-host-src"
  rm -rf "$dir" && mkdir -p "$dir"
  cp "$1/main.go" "$dir/main.go"
  (
    cd "$dir"
    go mod init together-pulumi-language-host-build >/dev/null 2>&1
    go get "github.com/pulumi/pulumi/pkg/v3@v$version" "github.com/pulumi/pulumi/sdk/v3@v$version" >&2
    go mod tidy >&2
    go build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" -o "$bin_dir/pulumi-language-python" . >&2
  )
}

if [ ! -x "$bin_dir/pulumi-language-python" ]; then
  if build_language_host_from_proxy; then
    log "built pulumi-language-python from the Go module proxy"
  elif [ -n "$language_host_src" ] && [ -f "$language_host_src/main.go" ]; then
    log "the Go module proxy does not serve pulumi-language-python; building it from $language_host_src"
    build_language_host_from_source "$language_host_src"
  else
    log "cannot build pulumi-language-python (the Python language host): the Go module proxy does not"
    log "serve it, and there is no local copy of its source. Put the directory holding its main.go"
    log "(sdk/python/cmd/pulumi-language-python of the pulumi/pulumi repository at v$version) in"
    log "TOGETHER_PULUMI_LANGUAGE_HOST_SRC, or install Pulumi v$version, then run make again."
    exit 1
  fi
fi

# Module zips drop file modes: install them executable.
install -m 0755 "$sdk_dir/python/dist/pulumi-resource-pulumi-python" "$bin_dir/"
install -m 0755 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$bin_dir/"
log "ready in $(( $(date +%s) - start ))s: $bin_dir"
complete "$bin_dir" || { log "the build finished but $bin_dir is incomplete"; exit 1; }
build_language_hosts
echo "$bin_dir"
