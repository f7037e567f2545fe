# The two commands: `make run` serves the portal on embedded defaults; `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test setup setup-dev migrate demo lint check clean uswds lock lock-upgrade

# Installs take the compiled lock files only, every package pinned and hashed (ADR 0003); the venv's own pip
# is used as it comes (the lock decides what is installed, not the installer's version).
$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --require-hashes -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet --require-hashes -r requirements-dev.txt
	@touch $@

setup: $(VENV)/.installed
setup-dev: $(VENV)/.installed-dev

migrate: setup
	@mkdir -p var
	DJANGO_SETTINGS_MODULE=qpp_exceptions.settings.local $(PY) manage.py migrate --noinput

demo: migrate
	DJANGO_SETTINGS_MODULE=qpp_exceptions.settings.local $(PY) manage.py load_demo_data

## make run: set up .venv, migrate SQLite under var/, load demo data, serve http://127.0.0.1:8000
run: demo
	@echo "Serving the QPP Exceptions portal at http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	DJANGO_SETTINGS_MODULE=qpp_exceptions.settings.local $(PY) manage.py runserver $(HOST):$(PORT)

## make test: install the dev requirements and run the whole suite
test: setup-dev
	DJANGO_SETTINGS_MODULE=qpp_exceptions.settings.test $(PY) -m pytest $(PYTEST_ARGS)

lint: setup-dev
	$(VENV)/bin/ruff check .

check: setup-dev
	DJANGO_SETTINGS_MODULE=qpp_exceptions.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .

uswds:
	scripts/refresh_uswds.sh

## make lock: compile requirements*.in into requirements*.txt (exact versions and hashes; ADR 0003), keeping
## every pin the .in files still allow; `make lock-upgrade` moves every pin to the newest allowed release.
## The dev lock is compiled under the runtime pins, so both files agree on every shared package.
LOCK := $(VENV)/bin/uv pip compile --quiet --no-config --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock"
lock: | $(VENV)/.installed-dev
	$(LOCK) $(LOCK_ARGS) requirements.in -o requirements.txt
	$(LOCK) $(LOCK_ARGS) requirements-dev.in -c requirements.txt -o requirements-dev.txt

lock-upgrade:
	$(MAKE) lock LOCK_ARGS=--upgrade

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache

## make bench-scoring: the reweighting recompute on PostgreSQL, 1,000,000 TIN/NPIs (not part of `make test`)
.PHONY: bench-scoring
bench-scoring: setup-dev
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/qpp_bench} $(PY) bench/scoring.py

## make bench-notifications: bulk-approve 500 applications (1,500 emails) with Redis, a real worker and an SMTP sink
.PHONY: bench-notifications
bench-notifications: setup-dev
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/qpp_bench_notifications} $(PY) bench/notifications.py

## make bench: the national-scale benchmark (issue 9; docs/benchmarks.md). Needs PostgreSQL and Redis on
## 127.0.0.1 as in CI; uses its own database (qpp_bench) and never runs in `make test`.
.PHONY: bench
bench: setup-dev
	@command -v wrk >/dev/null 2>&1 || apt-get install -y wrk
	@psql "postgres://postgres@127.0.0.1:5432/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = 'qpp_bench'" | grep -q 1 \
		|| createdb -h 127.0.0.1 -U postgres qpp_bench
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/qpp_bench} $(PY) bench/run.py

## make bench-profile: where each benchmarked page spends its time, one warm request at a time, on the data set
## `make bench` leaves in qpp_bench (BENCH_PROFILE=<page name part> adds a pyinstrument call tree; ADR 0073)
.PHONY: bench-profile
bench-profile: setup-dev
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/qpp_bench} $(PY) bench/profile.py
