# Every target installs what it needs into .venv by itself.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LINT_STAMP := $(VENV)/.installed-lint

# Two pytest workers per core: most tests wait on a subprocess or the sandbox's sockets.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$((n * 2)))

# Cached bytecode, as an installed drift has it (pip compiles at install time). Where the
# machine sets PYTHONDONTWRITEBYTECODE, each drift process would compile drift's modules
# again, and each pytest worker would rewrite and compile every test module again.
BYTECODE := env -u PYTHONDONTWRITEBYTECODE
COMPILE := $(BYTECODE) $(BIN)/python -m compileall -q -j 0 drift  # a speed-up only: a failure is not fatal

.PHONY: install test lint demo bench clean

install: $(STAMP)

# drift and what its tests need; the linters come with `make lint` (LINT_STAMP)
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

$(LINT_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(LINT_STAMP)

test: $(STAMP)
	-$(COMPILE)
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

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
