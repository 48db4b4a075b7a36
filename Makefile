# Two commands matter to a new user: `make run` and `make test`. Everything they need is set up here.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: install run demo test test-fast test-slow lint typecheck rules-check bench eval deps-system clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

# Plant a demo web root (benign pages + our encoded test shells, decoded into a temp folder) and scan it.
run: install
	$(BIN)/webshell-agent demo

lint: install
	$(BIN)/ruff check agent tests
	$(BIN)/ruff format --check agent tests

typecheck: install
	$(BIN)/mypy
	$(BIN)/mypy --platform win32

rules-check: install
	$(BIN)/webshell-agent rules lint
	$(BIN)/webshell-agent rules test

test: install lint typecheck rules-check
	$(BIN)/pytest -m "not slow" $(PYTEST_ARGS)

test-fast: install
	$(BIN)/pytest -m "not slow" -x -q $(PYTEST_ARGS)

test-slow: install
	$(BIN)/pytest -m slow $(PYTEST_ARGS)

# Debian packages used by benchmarks and some integration tests (yara CLI for comparison).
deps-system:
	@command -v yara >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq yara >/dev/null; \
	  else echo "need root to apt-get install yara" >&2; exit 1; fi; }

bench: install deps-system
	$(BIN)/python -m tests.bench.scan_bench

# Detection and false positives on a labelled corpus: make eval CORPUS=/path (malicious/ and benign/ inside)
eval: install
	@test -n "$(CORPUS)" || { echo "usage: make eval CORPUS=DIR" >&2; exit 2; }
	$(BIN)/webshell-agent eval "$(CORPUS)"

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .pytest_cache .ruff_cache
