# custseg: `make demo` and `make test` are the whole set-up on a fresh clone.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.custseg-installed

.PHONY: install test lint typecheck pytest demo bench docs test-browser clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

lint: install
	$(VENV)/bin/ruff check src tests benchmarks docs

typecheck: install
	$(VENV)/bin/mypy

pytest: install
	$(VENV)/bin/pytest -q

test: lint typecheck pytest

demo: install
	$(VENV)/bin/custseg demo --output demo-output

bench: install
	@set -e; for f in benchmarks/bench_*.py; do echo "== $$f"; $(PY) $$f; done

docs: install
	$(VENV)/bin/mkdocs build --strict

test-browser: install
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium)
	$(VENV)/bin/pytest -q -m browser

clean:
	rm -rf $(VENV) site demo-output .pytest_cache .mypy_cache .ruff_cache
