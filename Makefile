# Thin targets over scripts and python. `make demo` and `make test` set up everything they need:
# a virtualenv with the project (.venv), the Pulumi engine (scripts/setup-engine.sh), the emulator.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Tests run in parallel with pytest-xdist, two workers per core: most of an end-to-end test's time is
# spent waiting on pulumi and the emulator (measured on 2 cores: 10.2 min with 4 workers, 12.1 with 2).
# PYTEST_WORKERS=0 runs them in one process.
PYTEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print(2 * (os.cpu_count() or 1))')
PYTEST := $(PY) -m pytest -q -n $(PYTEST_WORKERS)

.PHONY: demo test check unit e2e chaos bench lint schema docs engine plugin versitygw venv clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

engine:
	@bash scripts/setup-engine.sh >/dev/null

# The component plugin's own Python environment (plugin/venv), for TypeScript, Go and YAML programs.
plugin: $(STAMP)
	@PYTHON=$(PYTHON) bash scripts/setup-plugin.sh >/dev/null

# The S3-compatible server of the team-backend tests (tests/teams), built once into the cache.
versitygw:
	@bash scripts/setup-versitygw.sh >/dev/null

demo: $(STAMP) engine
	bash scripts/demo.sh

# Everything but the long chaos suite: lint, types, unit, end-to-end (incl. the short chaos run).
test: $(STAMP) engine plugin versitygw lint
	$(PYTEST) -m 'not chaos and not bench'

# The inner loop: lint, types and unit tests (about a minute and a half on 2 cores).
check: lint unit

# Python alone: no engine, no Go toolchain, no process per test (in-process emulator, step clocks).
unit: $(STAMP)
	$(PYTEST) -m 'not e2e and not engine and not chaos and not bench'

e2e: $(STAMP) engine plugin versitygw
	$(PYTEST) -m 'e2e and not chaos and not bench'

# Fleet figures through the CLI, each a ratio beside its goal (sizes: BENCH_N, BENCH_WAITING,
# BENCH_FLEET, BENCH_PROVISIONING_SECONDS; BENCH_REPORT=file for the table). Measures; asserts no speed.
bench: $(STAMP) engine
	$(PY) -m pytest -q -s -m bench tests/bench

# The long chaos suite: CHAOS_RUNS seeded runs (default 12), CHAOS_REPORT=file for the totals.
chaos: $(STAMP) engine
	$(PY) -m pytest -q -s -m chaos tests/chaos

lint: $(STAMP)
	$(VENV)/bin/ruff check provider tests examples policy plugin
	$(VENV)/bin/ruff format --check provider tests examples policy plugin
	$(VENV)/bin/mypy provider tests

schema: $(STAMP)
	$(PY) -m together_pulumi.schema schema --out schema.json
	$(PY) -m together_pulumi.codegen --out provider/together_pulumi/program/args.py

docs: $(STAMP)
	$(PY) -m together_pulumi.schema docs --schema schema.json --out docs/reference.md
	$(PY) -m together_pulumi.schema readme --out README.md

clean:
	rm -rf $(VENV) plugin/venv .pytest_cache .mypy_cache .ruff_cache
