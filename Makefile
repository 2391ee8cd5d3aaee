# Stoffwechsel: `make run` to try it, `make test` to check it. Everything else is optional.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 4
PG_TEST_URI ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PO_FILES := $(wildcard marketplace/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run serve test test-sqlite test-postgres lint format bench bench-booking bench-currency \
        babel-update translations bytecode db-upgrade seed install browser clean vendor worker

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-installs only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed $(MO_FILES)

%.mo: %.po | $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ >/dev/null

translations: $(MO_FILES)

# The project's bytecode, written even where PYTHONDONTWRITEBYTECODE is set (as on CI machines):
# otherwise every worker, CLI command and test server compiles the package again (0.3 s each).
bytecode: $(VENV)/.installed
	@$(BIN)/python -m compileall -q -j 0 marketplace tests $(wildcard bench) wsgi.py >/dev/null

db-upgrade: install bytecode
	$(FLASK) db upgrade

seed: db-upgrade
	$(FLASK) seed-demo --if-empty

run: seed
	$(FLASK) run --host $(HOST) --port $(PORT)

# Several sync workers (the work is CPU-bound under the GIL); rate limits are shared through
# Redis when it answers on REDIS_URL, else each worker counts on its own.
REDIS_URL ?= redis://127.0.0.1:6379/0
serve: seed
	@if [ -z "$$MARKETPLACE_RATELIMIT_STORAGE_URI" ] && $(BIN)/python -c "import redis,sys; redis.Redis.from_url('$(REDIS_URL)', socket_timeout=1).ping()" 2>/dev/null; then \
	  export MARKETPLACE_RATELIMIT_STORAGE_URI=$(REDIS_URL); echo "rate limits shared through $(REDIS_URL)"; \
	fi; \
	exec $(BIN)/gunicorn --workers $(WORKERS) --worker-class sync --bind $(HOST):$(PORT) \
	  --access-logfile - --forwarded-allow-ips 127.0.0.1 wsgi:app

# An RQ worker for the background jobs (docs/jobs.md); it needs MARKETPLACE_REDIS_URL, as do the
# web servers that enqueue. The periodic jobs also need one `flask --app wsgi scheduler`.
worker: install
	$(FLASK) worker

# Debian's Chromium for the Playwright journeys (never a downloaded browser build).
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "chromium could not be installed: browser journeys will be skipped"; \
	  else echo "chromium missing and not root: browser journeys will be skipped"; fi; \
	fi

# The concurrency tests' PostgreSQL variants (tests/databases.py) run once, in the PostgreSQL run.
test: $(VENV)/.installed-test $(MO_FILES) browser
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('host=127.0.0.1 port=5432 dbname=test user=postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  MARKETPLACE_TEST_POSTGRES_RUN_FOLLOWS=1 $(MAKE) --no-print-directory test-sqlite \
	    && $(MAKE) --no-print-directory test-postgres; \
	else $(MAKE) --no-print-directory test-sqlite \
	  && echo "PostgreSQL not reachable on 127.0.0.1:5432: PostgreSQL run skipped"; fi

test-sqlite: $(VENV)/.installed-test $(MO_FILES) bytecode
	@echo "== test suite on SQLite =="
	MARKETPLACE_TEST_DATABASE= $(BIN)/pytest -n 2 $(PYTEST_ARGS)

test-postgres: $(VENV)/.installed-test $(MO_FILES) bytecode
	@echo "== test suite on PostgreSQL =="
	MARKETPLACE_TEST_DATABASE=$(PG_TEST_URI) $(BIN)/pytest -n 2 -m "not browser" $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check marketplace tests $(wildcard bench) wsgi.py
	$(BIN)/ruff format --check marketplace tests $(wildcard bench) wsgi.py

format: $(VENV)/.installed-test
	$(BIN)/ruff format marketplace tests $(wildcard bench) wsgi.py
	$(BIN)/ruff check --fix marketplace tests $(wildcard bench) wsgi.py

# Each bench records its targets (bench/targets.py); a failing bench does not hide the others'
# figures, and the last step prints every target in one table (and fails when one is missed).
bench: $(VENV)/.installed-test
	@command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null 2>&1 || echo "no wrk: bench/web.py uses its Python load generator"
	$(BIN)/python -m bench.targets --reset
	-$(BIN)/python -m bench.search --n $${BENCH_SEARCH_N:-100000}
	-$(BIN)/python -m bench.web --n $${BENCH_WEB_N:-10000} --workers $(WORKERS)
	-$(BIN)/python -m bench.reports --exchanges $${BENCH_REPORTS_N:-100000}
	-$(BIN)/python -m bench.matching --offers $${BENCH_OFFERS:-10000} --requests $${BENCH_REQUESTS:-1000}
	-$(BIN)/python -m bench.map --organisations $${BENCH_ORGS:-10000} --listings $${BENCH_MAP_LISTINGS:-100000}
	-$(MAKE) --no-print-directory bench-booking
	-$(MAKE) --no-print-directory bench-currency
	$(BIN)/python -m bench.targets

bench-booking: $(VENV)/.installed-test
	$(BIN)/python -m bench.booking --listings $${BENCH_BOOKING_LISTINGS:-1000} --bookings $${BENCH_BOOKINGS:-50000}

bench-currency: $(VENV)/.installed-test
	$(BIN)/python -m bench.currency --accounts $${BENCH_ACCOUNTS:-5000} --transfers $${BENCH_TRANSFERS:-500000}

# After changing user-visible strings: extract, merge, fill English, list German gaps.
babel-update: $(VENV)/.installed
	$(FLASK) translate update

LUCIDE_ICONS := anvil apple armchair bike brick-wall circle-dot cooking-pot door-open hammer laptop milk newspaper package paint-bucket palette plug shirt sprout tent trees warehouse wine wrench

# Front-end libraries come from npm and are committed under static/vendor, so neither the app nor
# the tests need npm.
vendor:
	npm install --no-audit --no-fund
	# Only the lucide icons that marketplace/categories/looks.py names, one SVG file each.
	mkdir -p static/vendor/lucide
	cp $(LUCIDE_ICONS:%=node_modules/lucide-static/icons/%.svg) node_modules/lucide-static/LICENSE static/vendor/lucide/
	mkdir -p static/vendor/swagger-ui
	cp node_modules/swagger-ui-dist/{swagger-ui-bundle.js,swagger-ui.css,LICENSE} static/vendor/swagger-ui/
	mkdir -p static/vendor/chart.js
	cp node_modules/chart.js/dist/chart.umd.js node_modules/chart.js/LICENSE.md static/vendor/chart.js/
	mkdir -p static/vendor/leaflet/images
	cp node_modules/leaflet/dist/{leaflet.js,leaflet.css} node_modules/leaflet/LICENSE static/vendor/leaflet/
	cp node_modules/leaflet/dist/images/{layers.png,layers-2x.png,marker-icon.png,marker-icon-2x.png,marker-shadow.png} static/vendor/leaflet/images/
	mkdir -p static/vendor/leaflet.markercluster
	cp node_modules/leaflet.markercluster/dist/{leaflet.markercluster.js,MarkerCluster.css,MarkerCluster.Default.css} node_modules/leaflet.markercluster/MIT-LICENCE.txt static/vendor/leaflet.markercluster/
	# axe-core checks accessibility in the browser tests only; it is never served.
	mkdir -p tests/browser/vendor/axe-core
	cp node_modules/axe-core/{axe.min.js,LICENSE} tests/browser/vendor/axe-core/

clean:
	rm -rf $(VENV) instance/marketplace.db* instance/index instance/uploads
