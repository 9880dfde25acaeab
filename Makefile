# Two entry points for a fresh machine with only Python 3.11+ (see README):
#   make run   — create .venv, install, solve the shipped default case
#   make test  — create .venv, install with test tools, run the full test suite, then build the
#                sdist and wheel and try the wheel in a fresh venv outside the checkout (.ci/wheel-check)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CASE ?= data/nl-2026

.PHONY: run test tools lint bench clean mutate

$(BIN)/bekostiging: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,mpisppy]'
	touch $@

run: $(BIN)/bekostiging
	$(BIN)/bekostiging validate $(CASE)
	$(BIN)/bekostiging solve $(CASE) --name default

test: $(BIN)/bekostiging tools
	$(BIN)/ruff check src tests bench
	@# The mpi-sppy tests (tests/test_mpisppy.py) must run here, never be skipped.
	@# Two worker processes, one per core of the CI machine (pytest-xdist).
	BEKOSTIGING_REQUIRE_MPISPPY=1 $(BIN)/pytest -q -n 2
	bash .ci/wheel-check $(BIN)/python

# External programs of some tests, as command=Debian package: the HTML annex in headless Chromium,
# the PDF annex text through pdftotext, workbooks saved in LibreOffice Calc (tests/tools.py has the
# same table). Installed as root where apt-get can; a missing one skips its tests locally with the
# reason, but under CI=true this target fails, and so would the tests (CI never goes green without them).
TOOLS := chromium=chromium pdftotext=poppler-utils soffice=libreoffice-calc-nogui

tools:
	@missing=""; for t in $(TOOLS); do command -v $${t%%=*} >/dev/null 2>&1 || missing="$$missing $${t#*=}"; done; \
	if [ -n "$$missing" ] && [ "$$(id -u 2>/dev/null)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null \
		|| echo "apt-get could not install$$missing"; fi; \
	status=0; for t in $(TOOLS); do cmd=$${t%%=*}; pkg=$${t#*=}; \
		if ! command -v $$cmd >/dev/null 2>&1; then \
			case "$$CI" in [Tt][Rr][Uu][Ee]) echo "$$cmd ($$pkg) is missing and could not be installed; CI=true needs it" >&2; status=1;; \
			*) echo "$$cmd ($$pkg) is missing: its tests will be skipped (and fail under CI=true)";; esac; fi; done; \
	exit $$status

lint: $(BIN)/bekostiging
	$(BIN)/ruff check src tests bench

# Mutation testing with mutmut (README "Mutation testing"): hours over all four scopes on 2 cores,
# so never in CI. MUTATE narrows it to mutant-name globs, e.g. make mutate MUTATE='bekostiging.results*';
# MUTATE_JOBS is mutmut's --max-children. Results stay in mutants/ (a rerun checks only new or changed
# mutants); bench/mutation/report.py writes the score per file and the survivors.
MUTATE ?=
MUTATE_JOBS ?= 2

mutate: $(BIN)/bekostiging
	@case "$$CI" in [Tt][Rr][Uu][Ee]) echo "make mutate is not for CI (it takes hours)" >&2; exit 1;; esac
	env -u PYTHONPATH -u PYTHONDONTWRITEBYTECODE $(BIN)/mutmut run --max-children $(MUTATE_JOBS) $(foreach m,$(MUTATE),'$(m)')
	$(BIN)/python bench/mutation/report.py

bench: $(BIN)/bekostiging
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV)
