# Every target installs what it needs into .venv by itself.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LINT_STAMP := $(VENV)/.installed-lint

# Three pytest workers per core. Many tests wait on purpose (a deploy that reconciles, a call
# held by a fault, a signal sent into a slow re-check): with two workers per core, on average
# more than two of the four were waiting and the cores stood idle a fifth of the run (vmstat,
# 2 cores, 2026-12-02, 5,214 tests, warm, one after the other: 4 workers 175 s, 188 s (idle
# 19 %); 5 workers 144 s; 6 workers 132 s, 146 s, 131 s (idle 6 %); 8 workers 158 s (idle
# 2 %, but each worker's collection and warm-up cost more CPU than the idle time it filled).
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$((n * 3)))

# Cached bytecode, as an installed drift has it (pip compiles at install time). Where the
# machine sets PYTHONDONTWRITEBYTECODE, each drift process would compile drift's modules
# again, and each pytest worker would rewrite and compile every test module again.
BYTECODE := env -u PYTHONDONTWRITEBYTECODE
COMPILE := $(BYTECODE) $(BIN)/python -m compileall -q -j 0 drift  # a speed-up only: a failure is not fatal

# The test modules, rewritten for pytest's assertions and compiled once before the workers
# start, a share of them in each of one process per core: on a fresh checkout every worker
# rewrote and compiled all of them itself, at once, none finding another's cache yet (a cold
# collection takes 23 s of CPU, a warm one 6; six workers: a fresh clone's suite 259 s, the
# same suite warm 205 s, 2 cores, 2026-12-04). Written, not collected (tests/prewrite.py: no
# module imported, no test item built; 31.5 s of CPU collected, 13.7 s written, 2026-12-07).
# Also a speed-up only.
CORES := $(shell nproc 2>/dev/null || echo 2)
TEST_FILES = find tests -name 'test_*.py' -print0 | sort -z
WARM_TESTS = n=$$($(TEST_FILES) | tr -dc '\0' | wc -c); $(TEST_FILES) | xargs -0 -P $(CORES) \
	-n $$(( (n + $(CORES) - 1) / $(CORES) )) $(BYTECODE) $(BIN)/python -m pytest -q \
	--collect-only -p no:cacheprovider --noconftest -p tests.prewrite > /dev/null 2>&1

.PHONY: install test lint demo bench floors clean

install: $(STAMP)

# Installs with uv where it can be had: the same packages as pip from the same index, in about
# half the time (25 s against 45 s from a cold cache, bytecode compiled by both), which the
# 5-minute CI budget needs. Where uv cannot be installed or fails, pip does it all.
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check
define pip_install
	if $(PIP) install uv >/dev/null 2>&1 && \
		$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python $(1); then :; \
	else $(PIP) install --upgrade pip && $(PIP) install $(1); fi
endef

# drift and what its tests need; the linters come with `make lint` (LINT_STAMP)
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(call pip_install,-e '.[test]')
	touch $(STAMP)

$(LINT_STAMP): $(STAMP)
	$(call pip_install,-e '.[dev]')
	touch $(LINT_STAMP)

test: $(STAMP)
	-$(COMPILE)
	-$(WARM_TESTS)
	$(BYTECODE) $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

lint: $(LINT_STAMP)
	$(BIN)/ruff format --check drift tests benchmarks
	$(BIN)/ruff check drift tests benchmarks
	$(BIN)/mypy

demo: $(STAMP)
	-$(COMPILE)
	$(BIN)/drift demo

bench: $(STAMP)
	-$(COMPILE)
	$(BIN)/python -m benchmarks.bench

# The suite on the LOWEST versions pyproject.toml allows (uv --resolution lowest-direct), in a
# venv of its own under /tmp: every `>=` must be a version drift runs on. Not part of `test`
# (a fresh resolution and install each time, network needed). --seed: tests/test_packaging.py
# runs pip in it.
FLOORS_VENV ?= /tmp/drift-floors-venv
floors: $(STAMP)
	rm -rf $(FLOORS_VENV)
	$(BIN)/uv venv --quiet --seed --python $(BIN)/python $(FLOORS_VENV)
	$(BIN)/uv pip install --quiet --python $(FLOORS_VENV)/bin/python \
		--resolution lowest-direct -e '.[test]'
	$(BYTECODE) $(FLOORS_VENV)/bin/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
