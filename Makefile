# Two commands matter to a new user: `make run` and `make test`. Everything they need is set up here.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: install run demo test test-fast test-slow lint typecheck rules-check bench bench-watch eval deps-system deps-rsyslog deps-minisign clean
.PHONY: bench-process bench-siem

# pyproject.toml has version ranges; constraints.txt the exact versions we test and ship.
$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

# Plant a demo web root (benign pages + our encoded test shells, decoded into a temp folder), then
# watch it with the agent in the foreground: drop a file in to see a live alert; Ctrl-C stops.
run: install
	$(BIN)/webshell-agent demo --run

lint: install
	$(BIN)/ruff check agent tests
	$(BIN)/ruff format --check agent tests

typecheck: install
	$(BIN)/mypy
	$(BIN)/mypy --platform win32

rules-check: install
	$(BIN)/webshell-agent rules lint
	$(BIN)/webshell-agent rules test

test: install deps-rsyslog deps-minisign deps-debootstrap lint typecheck rules-check
	$(BIN)/pytest -m "not slow" $(PYTEST_ARGS)

test-fast: install
	$(BIN)/pytest -m "not slow" -x -q $(PYTEST_ARGS)

test-slow: install
	$(BIN)/pytest -m slow $(PYTEST_ARGS) || [ $$? -eq 5 ]  # exit 5: no slow test selected

# Debian packages used by benchmarks and some integration tests (yara CLI for comparison).
deps-system: deps-rsyslog deps-minisign
	@command -v yara >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq yara >/dev/null; \
	  else echo "need root to apt-get install yara" >&2; exit 1; fi; }

# rsyslog + GnuTLS: the real syslog receiver of the SIEM output tests (marker needs_rsyslog;
# they skip without it locally and fail under CI=true).
deps-rsyslog:
	@if command -v dpkg >/dev/null 2>&1 && ! dpkg -s rsyslog rsyslog-gnutls >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq rsyslog rsyslog-gnutls >/dev/null; \
	  else echo "need root to apt-get install rsyslog rsyslog-gnutls (needs_rsyslog tests will skip)" >&2; fi; fi

# minisign: the rule-bundle tests sign and verify with the real tool both ways (they skip
# without it locally and fail under CI=true).
deps-minisign:
	@if command -v dpkg >/dev/null 2>&1 && ! command -v minisign >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq minisign >/dev/null; \
	  else echo "need root to apt-get install minisign (its bundle tests will skip)" >&2; fi; fi

bench: install deps-system
	$(BIN)/python -m tests.bench.scan_bench $(BENCH_ARGS)

# Process watch: CPU cost at the default interval (~500 processes), catch rate of short-lived shells.
bench-process: install
	$(BIN)/python tests/bench/process_bench.py $(BENCH_ARGS)

# The watching agent as a real process: close-to-alert latency at 500 files/s, a 100,000-file
# burst (missed files, time to drain), idle RSS/CPU, start-up with cached rules. Takes minutes.
bench-watch: install
	$(BIN)/python -m tests.bench.watch_bench $(BENCH_ARGS)

# SIEM delivery: alerts/s through syslog TLS and HEC, alert-to-receipt p99, backlog drain rate.
bench-siem: install deps-rsyslog
	$(BIN)/python -m tests.bench.siem_bench

# Detection and false positives on a labelled corpus: make eval CORPUS=/path (malicious/ and benign/ inside),
# per language and per source; HOLD_OUT='owner+repo ...' reports those sources apart (tuned vs held out).
eval: install
	@test -n "$(CORPUS)" || { echo "usage: make eval CORPUS=DIR [HOLD_OUT='owner+repo ...']" >&2; exit 2; }
	$(BIN)/webshell-agent eval "$(CORPUS)" $(if $(HOLD_OUT),--hold-out $(HOLD_OUT)) $(EVAL_ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .pytest_cache .ruff_cache

# The man page and shell completions, generated from the command-line parser.
.PHONY: man completions
man: install
	mkdir -p dist/man
	$(BIN)/webshell-agent man > dist/man/webshell-agent.1

completions: install
	mkdir -p dist/completions
	for sh in bash zsh powershell; do $(BIN)/webshell-agent completion $$sh > dist/completions/webshell-agent.$$sh; done

# Packages (docs/service.md): the wheel ships the signatures; the .deb bundles the dependency wheels.
.PHONY: wheel deb
wheel: install
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir dist .

deb: install
	packaging/debian/build-deb.sh --python $(BIN)/python

# Worst-case cost of every rule: each rule's strings repeated to the size limit, CPU s per file
# (budget 2 s), then the decode stage on hostile files. BENCH_ARGS='--size 4MiB --only php/' narrows the first.
.PHONY: bench-rules
bench-rules: install
	$(BIN)/python -m tests.bench.rule_cost $(BENCH_ARGS)
	$(BIN)/python -m tests.bench.decode_cost

# Detection kept under meaning-preserving rewrites of the shells a labelled corpus holds
# (docs/evaluation.md, "Mutations"): BENCH_ARGS='CORPUS OUT [--hosts DIR ...] [--only NAME ...]'
.PHONY: bench-mutate
bench-mutate: install
	$(BIN)/python -m tests.bench.mutate $(BENCH_ARGS)

# System tests (tests/system, marker `system`): the .deb and `service install` under a real
# systemd booted in namespaces from a debootstrapped Debian rootfs, cached in
# ~/.cache/webshell-agent/system-tests (built on first use). `make test` runs them too; they
# need root and skip without it (fail under CI=true).
.PHONY: test-system deps-debootstrap
test-system: install deps-debootstrap
	$(BIN)/pytest -m system $(PYTEST_ARGS)

deps-debootstrap:
	@if command -v dpkg >/dev/null 2>&1 && ! command -v debootstrap >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; \
	  else echo "need root to apt-get install debootstrap (system tests will skip)" >&2; fi; fi
