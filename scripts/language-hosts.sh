# Sourced by setup-engine.sh (which sets here, version, cache_root, bin_dir and log): builds the
# language hosts of Node.js (TypeScript, JavaScript), Go and YAML programs into the engine's bin
# directory, for programs that use the component plugin (plugin/).
#
# The same rules as the Python host: from the Go module proxy where it serves them, else from a local
# copy of the source (a build input, built in the cache, never copied into this repository):
# - pulumi-language-nodejs and pulumi-language-go are modules of their own in pulumi/pulumi with only
#   pseudo-versions: asked for at the release's commit, else built from TOGETHER_PULUMI_NODEJS_HOST_SRC /
#   TOGETHER_PULUMI_GO_HOST_SRC, else ../shared/third_party/pulumi-language-{nodejs,go};
# - pulumi-language-yaml from pulumi/pulumi-yaml at an exact version (the proxy serves v1.38.1 when asked
#   for it; v1.25.0, the newest its list shows, starts the 3.260 Python host with a flag it refuses).
# A host that cannot be built is logged and left out: the Python path never depends on them.

yaml_host_version=v1.38.1
language_programs=(pulumi-language-nodejs pulumi-language-go pulumi-language-yaml)

languages_complete() { # $1 = a bin directory
  local program
  for program in "${language_programs[@]}"; do [ -x "$1/$program" ] || return 1; done
}

_release_commit() { # the pulumi/pulumi commit of sdk/v3 at the pinned version, as the proxy names it
  local dir="$cache_root/engine/v$version/wrapper"
  mkdir -p "$dir"
  (cd "$dir" && go mod download -json "github.com/pulumi/pulumi/sdk/v3@v$version" 2>/dev/null) \
    | sed -n 's/^[[:space:]]*"Hash": "\([0-9a-f]\{40\}\)".*/\1/p' | head -n 1
}

_build_from_proxy() { # $1 = program, $2 = module@version
  local dir="$cache_root/engine/v$version/$1-proxy"
  rm -rf "$dir" && mkdir -p "$dir"
  (
    cd "$dir"
    go mod init "together-pulumi-$1-wrapper" >/dev/null 2>&1
    go get -tool "$2" >/dev/null 2>&1 || { log "the Go module proxy does not serve $2"; exit 1; }
    go get "github.com/pulumi/pulumi/pkg/v3@v$version" "github.com/pulumi/pulumi/sdk/v3@v$version" >&2
    go mod tidy >&2
    GOBIN="$bin_dir" go install -trimpath -ldflags "$ldflags" "${2%@*}" >&2
  )
}

_build_from_source() { # $1 = program, $2 = source directory, $3 = module path to build it as
  local dir="$cache_root/engine/v$version/$1-src"
  rm -rf "$dir" && mkdir -p "$dir"
  cp -r "$2/." "$dir/" && rm -f "$dir/LICENSE" "$dir/README.md"
  (
    cd "$dir"
    go mod init "$3" >/dev/null 2>&1
    go get "github.com/pulumi/pulumi/pkg/v3@v$version" "github.com/pulumi/pulumi/sdk/v3@v$version" >&2
    go mod tidy >&2
    go build -trimpath -ldflags "$ldflags" -o "$bin_dir/$1" . >&2
  )
}

_build_pulumi_host() { # $1 = nodejs|go, $2 = its module path, $3 = source override (may be empty)
  local program="pulumi-language-$1" commit src
  commit=$(_release_commit)
  [ -n "$commit" ] || log "the Go module proxy names no commit for sdk/v3@v$version (a cached module has none): not asking it for $program"
  if [ -n "$commit" ] && _build_from_proxy "$program" "$2@$commit"; then
    log "built $program from the Go module proxy"
    return 0
  fi
  src=${3:-$here/../shared/third_party/$program}
  if [ ! -f "$src/main.go" ]; then
    log "cannot build $program: the Go module proxy does not serve it and there is no local copy of its"
    log "source (set TOGETHER_PULUMI_$(echo "$1" | tr a-z A-Z)_HOST_SRC to the directory holding its main.go)"
    return 1
  fi
  log "building $program from $src"
  _build_from_source "$program" "$(cd "$src" && pwd)" "$2"
}

build_language_hosts() {
  languages_complete "$bin_dir" && return 0
  if ! command -v go >/dev/null 2>&1; then
    log "no Go toolchain: pulumi-language-nodejs, -go and -yaml are not built, so only Python programs run."
    log "Install Go >= 1.26.6 and run make again for TypeScript, JavaScript, Go and YAML programs."
    return 0
  fi
  export GOFLAGS=-modcacherw CGO_ENABLED=0
  ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version"
  local started
  started=$(date +%s)
  [ -x "$bin_dir/pulumi-language-nodejs" ] || _build_pulumi_host nodejs \
    github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 "${TOGETHER_PULUMI_NODEJS_HOST_SRC:-}" \
    || log "pulumi-language-nodejs was not built"
  [ -x "$bin_dir/pulumi-language-go" ] || _build_pulumi_host go \
    github.com/pulumi/pulumi/sdk/go/pulumi-language-go/v3 "${TOGETHER_PULUMI_GO_HOST_SRC:-}" \
    || log "pulumi-language-go was not built"
  [ -x "$bin_dir/pulumi-language-yaml" ] \
    || _build_from_proxy pulumi-language-yaml "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@$yaml_host_version" \
    || log "pulumi-language-yaml was not built (the Go module proxy must serve pulumi-yaml $yaml_host_version)"
  log "language hosts done in $(( $(date +%s) - started ))s"
}
