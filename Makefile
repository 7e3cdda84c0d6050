# LPA developer commands. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
# System packages: venv for Python, pango for WeasyPrint, Chromium for browser tests,
# Thai fonts, gettext for translations, poppler-utils (pdftotext) for the PDF tests,
# wrk for the load benchmark (make bench).
APT_PACKAGES := python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 chromium fonts-thai-tlwg gettext poppler-utils wrk

.PHONY: run test test-fast bench system-deps venv demo migrate check clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV) || { $(MAKE) system-deps && $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

# Installs the Debian packages above when they are missing (needs root or sudo).
system-deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

migrate: venv
	DEBUG=1 $(PY) manage.py migrate --noinput

demo: migrate
	DEBUG=1 $(PY) manage.py seed_demo

# Set up everything and serve the demo at http://$(HOST):$(PORT) (logins in README.md), with
# the background worker for long exports beside it; Ctrl-C stops both.
run: system-deps demo
	@DEBUG=1 $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite, browser tests included, spread over the machine's cores by pytest-xdist
# (each worker has its own test database). PYTEST_WORKERS=0 runs it in this one process,
# e.g. to stop in a debugger; PYTEST_ARGS passes anything else, e.g. PYTEST_ARGS='-k login'.
PYTEST_WORKERS ?= auto
test: system-deps venv
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Everything but the browser tests.
test-fast: venv
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not browser" $(PYTEST_ARGS)

# The national-scale benchmark against PostgreSQL (docs/benchmarks.md). The first run
# generates the national round (a few minutes); BENCH_ARGS=--fresh rebuilds it.
bench: system-deps venv
	$(PY) bench/run.py $(BENCH_ARGS)

# System checks, missing migrations, the apps' layers (import-linter, pyproject.toml) and ruff.
check: venv
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) staticfiles
