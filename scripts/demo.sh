#!/usr/bin/env bash
# `make demo`: what a user does with examples/quickstart, against a local emulator.
#
# Starts the emulator on a free port, then in a temporary copy of examples/quickstart runs the plain
# pulumi commands a user types: stack init, config set (base URL, secret key), preview --diff,
# up, stack output, destroy, stack rm. The backend is a local directory in the same temporary
# directory, and PULUMI_CONFIG_PASSPHRASE is set for the demo only. Nothing is left behind: no
# stack, no cluster, no process, no file. No account, no spend, nothing downloaded.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
engine_bin=$(bash "$root/scripts/setup-engine.sh")
# As after `source .venv/bin/activate`: the program and the provider run in this project's venv.
export PATH="$engine_bin:$root/.venv/bin:$PATH"
export VIRTUAL_ENV="$root/.venv"

demo=$(mktemp -d)
emulator_pid=
cleanup() {
  if [ -n "$emulator_pid" ]; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  rm -rf "$demo"
}
trap cleanup EXIT

python -m together_pulumi.emulator --port 0 --provisioning-seconds 6 >"$demo/emulator.out" 2>"$demo/emulator.err" &
emulator_pid=$!
url=
for _ in $(seq 1 100); do
  url=$(sed -n 's/^together-emulator: serving //p' "$demo/emulator.out")
  [ -n "$url" ] && break
  kill -0 "$emulator_pid" 2>/dev/null || { cat "$demo/emulator.err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "the emulator did not start" >&2; exit 1; }
echo "== emulator serving $url"

cp -r "$root/examples/quickstart" "$demo/quickstart"
cd "$demo/quickstart"
export PULUMI_HOME="$demo/pulumi-home" PULUMI_BACKEND_URL="file://$demo/state?metadata=skip"
export PULUMI_CONFIG_PASSPHRASE=demo-only PULUMI_SKIP_UPDATE_CHECK=1 PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=1
export TOGETHER_PULUMI_MAX_POLL_SECONDS=${TOGETHER_PULUMI_MAX_POLL_SECONDS:-2}
mkdir -p "$demo/state"

step() { echo; echo "== $*"; "$@"; }
step pulumi stack init demo
step pulumi config set together:baseUrl "$url"
echo; echo "== pulumi config set --secret together:apiKey"
echo emulator-demo-key | pulumi config set --secret together:apiKey
step pulumi preview --diff
step pulumi up --yes
step pulumi stack output
step pulumi destroy --yes
step pulumi stack rm --yes demo
echo
echo "== done: the emulator had the cluster for the length of the demo and has nothing now"
