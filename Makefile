# custseg: `make demo` and `make test` are the whole set-up on a fresh clone.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.custseg-installed

.PHONY: install test lint typecheck pytest demo bench docs test-browser clean

$(STAMP): pyproject.toml
	@# PySpark (the dev extra) runs on a JVM: bring a headless Java where the machine has none.
	@command -v java >/dev/null 2>&1 || (apt-get update -qq && \
		apt-get install -y -qq --no-install-recommends default-jre-headless)
	@# The report's browser tests drive Debian's Chromium through Playwright (pip's playwright
	@# cannot download its own browser build here; it uses /usr/bin/chromium).
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && \
		apt-get install -y -qq --no-install-recommends chromium)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

lint: install
	$(VENV)/bin/ruff check

typecheck: install
	$(VENV)/bin/mypy

# CUSTSEG_REQUIRE_BROWSER=1: the browser tests fail, rather than skip, without Chromium.
pytest: install
	CUSTSEG_REQUIRE_BROWSER=1 $(VENV)/bin/pytest -q

test: lint typecheck pytest

demo: install
	$(VENV)/bin/custseg demo --output demo-output

# lifetimes (the reference BTYD library) needs pandas < 3: it gets its own venv, used only by
# benchmarks/bench_features.py for the speed comparison. Failing to build it is not fatal.
LIFETIMES_VENV := benchmarks/_cache/lifetimes-venv
$(LIFETIMES_VENV)/bin/python:
	-$(PYTHON) -m venv $(LIFETIMES_VENV) && $(LIFETIMES_VENV)/bin/pip install --quiet \
		lifetimes "pandas<2.2" "numpy<2" "scipy<1.14" "pyarrow<16"

bench: install $(LIFETIMES_VENV)/bin/python
	@status=0; for f in benchmarks/bench_*.py; do echo "== $$f"; $(PY) $$f || status=1; done; \
		exit $$status

docs: install
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

test-browser: install
	CUSTSEG_REQUIRE_BROWSER=1 $(VENV)/bin/pytest -q -m browser

clean:
	rm -rf $(VENV) site demo-output .pytest_cache .mypy_cache .ruff_cache
