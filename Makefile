# Thin targets over scripts/ and python. `make demo` and `make test` set up everything they need:
# a virtualenv with the project (.venv), the Pulumi engine (scripts/setup-engine.sh), the emulator.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test unit e2e lint schema docs engine venv clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

engine:
	@bash scripts/setup-engine.sh >/dev/null

demo: $(STAMP) engine
	bash scripts/demo.sh

test: $(STAMP) engine lint
	$(PY) -m pytest -q

unit: $(STAMP)
	$(PY) -m pytest -q -m 'not e2e'

e2e: $(STAMP) engine
	$(PY) -m pytest -q -m e2e

lint: $(STAMP)
	$(VENV)/bin/ruff check provider tests scripts examples
	$(VENV)/bin/ruff format --check provider tests scripts examples
	$(VENV)/bin/mypy provider

schema: $(STAMP)
	$(PY) -m together_pulumi.schema schema --out schema.json

docs: $(STAMP)
	$(PY) -m together_pulumi.schema docs --schema schema.json --out docs/reference.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
