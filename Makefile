# Two entry points for a fresh machine with only Python 3.11+ (see README):
#   make run   — create .venv, install, solve the shipped default case
#   make test  — create .venv, install with test tools, run the full test suite, then build the
#                sdist and wheel and try the wheel in a fresh venv outside the checkout (.ci/wheel-check)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CASE ?= data/nl-2026

.PHONY: run test lint bench clean

$(BIN)/bekostiging: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,mpisppy]'
	touch $@

run: $(BIN)/bekostiging
	$(BIN)/bekostiging validate $(CASE)
	$(BIN)/bekostiging solve $(CASE) --name default

test: $(BIN)/bekostiging
	@# The report test opens the HTML annex in headless Chromium (Debian package); install it as root.
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
		|| echo "chromium could not be installed: the browser test will be skipped"; fi
	@# The Excel round-trip test saves the workbook in LibreOffice Calc; under CI=true it must run.
	@if ! command -v soffice >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-calc-nogui >/dev/null; fi; \
		if ! command -v soffice >/dev/null; then \
			if [ "$$CI" = true ]; then echo "LibreOffice (libreoffice-calc-nogui) could not be installed; CI needs it" >&2; exit 1; fi; \
			echo "LibreOffice could not be installed: the LibreOffice round-trip tests will be skipped"; fi; fi
	$(BIN)/ruff check src tests bench
	@# The mpi-sppy tests (tests/test_mpisppy.py) must run here, never be skipped.
	@# Two worker processes, one per core of the CI machine (pytest-xdist).
	BEKOSTIGING_REQUIRE_MPISPPY=1 $(BIN)/pytest -q -n 2
	bash .ci/wheel-check $(BIN)/python

lint: $(BIN)/bekostiging
	$(BIN)/ruff check src tests bench

bench: $(BIN)/bekostiging
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV)
