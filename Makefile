# Command Center: `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: run test lint node format test-calendar schema venv migrate bench bench-workers load-test clean

venv: $(INSTALLED)

$(INSTALLED): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

migrate: venv
	DEBUG=true $(PY) manage.py migrate --noinput

# Everything a demo needs, in the foreground; one Ctrl-C stops it all.
# `make run WEB_PORT=8100 SANDBOX_PORT=8110` when 8000 or 8010 is taken.
WEB_PORT ?= 8000
SANDBOX_PORT ?= 8010
SANDBOX_CLOCK_SPEED ?= 60
DEMO_ENV = DEBUG=true WEB_PORT=$(WEB_PORT) SANDBOX_PORT=$(SANDBOX_PORT) SANDBOX_CLOCK_SPEED=$(SANDBOX_CLOCK_SPEED) NOYO_API_URL=http://127.0.0.1:$(SANDBOX_PORT)
# The demo's /metrics answers this bearer token (set METRICS_TOKEN to choose another).
run: export METRICS_TOKEN ?= demo-metrics-token
run: migrate
	@$(DEMO_ENV) $(PY) manage.py run_demo_setup --url http://127.0.0.1:$(WEB_PORT)/
	$(DEMO_ENV) PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho --procfile Procfile.dev start

# One test process per core (pytest-xdist): each has its own test database, var directory and Redis
# database (tests/settings.py). TEST_PROCESSES=0 runs the suite in this one process.
TEST_PROCESSES ?= auto
test: lint node
	$(PY) -m pytest -n $(TEST_PROCESSES)

# axe-core for the browser tests' accessibility checks (package.json; never served). Without npm they are skipped, saying so.
node: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --silent --no-audit --no-fund && touch $@; \
	else echo "npm is not installed: the accessibility checks will be skipped"; fi

# ruff, configured in pyproject.toml: the tree must be clean and formatted (`make format` makes it so).
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The suite as if today were each day that breaks date arithmetic: a month's last day, a month's
# first day, 31 December and 29 February (tests/clock.py moves the clock). The browser tests run once, in
# `make test`: what they show is drawn by code the other tests already run on each day, and four more
# browser passes would take CI past its time.
CALENDAR_DAYS ?= 2027-01-31 2027-02-01 2026-12-31 2028-02-29
test-calendar: venv
	@failed=""; for day in $(CALENDAR_DAYS); do echo "== the suite on $$day"; TEST_CLOCK=$$day $(PY) -m pytest -q -n $(TEST_PROCESSES) -m "not browser" || failed="$$failed $$day"; done; \
	if [ -n "$$failed" ]; then echo "The suite failed on:$$failed"; exit 1; fi

# The checked-in OpenAPI document, regenerated from the code; tests/core/test_openapi.py fails
# while it differs from what the code generates, so commit it with the API change.
schema: venv
	DEBUG=true $(PY) manage.py spectacular --fail-on-warn --validate --file openapi.yaml

# The web tier under load (README, Benchmarks): gunicorn with DEBUG off, signed-in people browsing for a
# bounded time; requests/s, p50/p95/p99, errors, CPU by part, load average. LOAD_DB is a database of its
# own (filled by a sync from a sandbox when it has no connections). DEBUG=true is for this command's own
# process only (it needs no SECRET_KEY then); gunicorn runs with DEBUG off.
LOAD_DB ?= postgres://postgres@127.0.0.1:5432/cc_load
LOAD_ARGS ?=
load-test: venv
	DEBUG=true LOG_LEVEL=WARNING $(PY) manage.py load_test --database-url $(LOAD_DB) $(LOAD_ARGS)

# The employees family with 1 and with 4 Celery worker processes against a sandbox with 100 ms a call (README,
# Benchmarks). It empties the mirror tables of BENCH_DB (create it first) and flushes Redis database 14.
BENCH_DB ?= postgres://postgres@127.0.0.1:5432/cc_bench_workers
BENCH_WORKERS_ARGS ?= --scale medium --chunk-parents 100
bench-workers: venv
	DEBUG=true $(PY) manage.py bench_workers --database-url $(BENCH_DB) $(BENCH_WORKERS_ARGS)

clean:
	rm -rf $(VENV) node_modules var db.sqlite3 staticfiles .pytest_cache
