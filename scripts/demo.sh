#!/usr/bin/env bash
# `make demo`: the quickstart example through the real Pulumi engine against a local emulator.
# Starts the emulator on a free port, runs `pulumi up`, prints the outputs, runs `pulumi destroy`,
# removes the stack and stops the emulator. No account, no spend, nothing downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
state=$(mktemp -d)
emulator_out="$state/emulator.out"

"$PY" -m together_pulumi.emulator --port 0 --provisioning-seconds 6 >"$emulator_out" 2>"$state/emulator.err" &
emulator_pid=$!
cleanup() {
  kill "$emulator_pid" 2>/dev/null || true
  wait "$emulator_pid" 2>/dev/null || true
  rm -rf "$state"
}
trap cleanup EXIT

for _ in $(seq 1 100); do
  url=$(sed -n 's/^together-emulator: serving //p' "$emulator_out")
  [ -n "$url" ] && break
  kill -0 "$emulator_pid" 2>/dev/null || { cat "$state/emulator.err" >&2; exit 1; }
  sleep 0.1
done
[ -n "${url:-}" ] || { echo "the emulator did not start" >&2; exit 1; }
echo "== emulator serving $url"

run() { "$PY" scripts/stackrunner.py "$1" examples/quickstart --stack demo --state-dir "$state" \
  --config "together:baseUrl=$url" --secret "together:apiKey=emulator-demo-key"; }

echo "== pulumi up (examples/quickstart)"
run up
echo "== stack outputs"
run outputs
echo "== pulumi destroy"
run destroy
run rm
echo "== done: the emulator had the cluster for the length of the demo and has nothing now"
