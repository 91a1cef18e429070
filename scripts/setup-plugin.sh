#!/usr/bin/env bash
# Give the component plugin (plugin/) its own Python environment, plugin/venv, with this repository's
# together-pulumi installed in it (editable, so it runs the code of this checkout), and print the path
# of its python.
#
# The plugin's environment is its own, never the project's .venv: `pulumi package add` runs pip in it
# (upgrading pip, setuptools and wheel, then `pip install -r requirements.txt`), and the dynamic
# resources of a TypeScript, Go or YAML program run in it (PULUMI_PYTHON_CMD; docs/languages.md), and
# so does the policy pack (policy/, run by the same PULUMI_PYTHON_CMD): hence the `policy` extra.
# Done once, redone when pyproject.toml changes. PYTHON names the interpreter (default python3).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
venv="$here/plugin/venv"
stamp="$venv/.together-installed"
python=${PYTHON:-python3}
# What is installed; the stamp holds it, so a change here (or to pyproject.toml) redoes the install.
spec="-e $here[policy]"

# One setup at a time (parallel test workers may all ask at once).
exec 9>"$here/plugin/venv.lock"
flock 9

if [ ! -f "$stamp" ] || [ "$here/pyproject.toml" -nt "$stamp" ] || [ "$(cat "$stamp")" != "$spec" ]; then
  start=$(date +%s)
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$here[policy]" >&2
  echo "$spec" >"$stamp"
  echo "setup-plugin: plugin/venv ready in $(( $(date +%s) - start ))s" >&2
fi
echo "$venv/bin/python"
