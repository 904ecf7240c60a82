# A newcomer needs two commands: `make run` and `make test`. Both set everything up first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
MANIFEST := dbt_project/target/manifest.json

# Paths are not set here: every default (the landing zone, DAGSTER_HOME, the raw, work and published
# folders) lives in ingestion/settings.py, so `make run`, `make dev` and a bare `svw ...` read the
# same landing zone and record their runs in the same Dagster instance (`svw settings` prints them).
export PATH := $(BIN):$(PATH)

SQLFLUFF_VENV := .venv-sqlfluff
SQLFLUFF_STAMP := $(SQLFLUFF_VENV)/.installed
# A DuckDB 1.4 reader, as BI drivers embed it (Metabase's DuckDB driver, the DuckDB ODBC driver): the
# tests open the published warehouse with it (docs/connecting-bi-tools.md).
DUCKDB1_VENV := .venv-duckdb1
DUCKDB1_STAMP := $(DUCKDB1_VENV)/.installed

.PHONY: help setup manifest browsers postgres duckdb1 run test test-fast check lint-sql dev samples clean

help:
	@echo "make run      set up, run the whole pipeline on data/landing (the bundled sample when empty), publish"
	@echo "make test     set up, run the whole test suite (pytest, including dbt tests)"
	@echo "make test-fast  unit tests only: no pipeline runs, no real data, no browser (under a minute)"
	@echo "make check    ruff (lint + format), mypy, sqlfluff on the dbt models: what CI runs before make test"
	@echo "make dev      open the Dagster UI (and the schedule and sensors) on the instance svw run records to"
	@echo "make samples  regenerate the bundled sample feeds and their answers file"

$(STAMP): pyproject.toml requirements.lock
	@test -n "$(PYTHON)" || { echo "Python 3.11 is required (python3.11 not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test,check,s3]'
	@touch $(STAMP)

# sqlfluff-templater-dbt pins a click older than Dagster's, so it lives in a virtualenv of its own
# with the same dbt-core and dbt-duckdb versions as the project.
$(SQLFLUFF_STAMP): requirements-sqlfluff.lock
	$(PYTHON) -m venv $(SQLFLUFF_VENV)
	$(SQLFLUFF_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SQLFLUFF_VENV)/bin/python -m pip install --quiet -r requirements-sqlfluff.lock
	@touch $(SQLFLUFF_STAMP)

setup: $(STAMP)

$(DUCKDB1_STAMP): requirements-duckdb1.lock
	$(PYTHON) -m venv $(DUCKDB1_VENV)
	$(DUCKDB1_VENV)/bin/python -m pip install --quiet -r requirements-duckdb1.lock
	@touch $(DUCKDB1_STAMP)

duckdb1: $(DUCKDB1_STAMP)

# dagster-dbt reads dbt's manifest when the definitions load; build it (prepare_if_dev only does
# this under `dagster dev`).
manifest: setup
	cd dbt_project && $(BIN)/dbt parse --profiles-dir . --quiet

# A plain `make run` reads data/landing when it holds partner files, else the bundled sample, and
# prints which and why (ingestion/settings.py choose_landing_zone, the rule every svw command and
# the sensors follow). SVW_LANDING_DIR given on the command line or in the environment overrides both.
run: manifest
	$(BIN)/svw run

# The browser tests open the statements and dashboard in Debian's Chromium (driven through
# chromium-driver) and turn PDFs into images with pdftoppm (poppler-utils). Installed here when
# missing; needs root or sudo (CI runs as root).
browsers:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! command -v pdftoppm >/dev/null; then \
	  echo "installing chromium, chromium-driver and poppler-utils (Debian packages)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver poppler-utils >/dev/null; \
	fi

# The PostgreSQL profile's test starts a throwaway server of its own (tests/integration/
# test_postgres_profile.py); it needs Debian's postgresql package, installed here when missing.
postgres:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "installing postgresql (Debian package; the server is not started)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; \
	fi

test: manifest browsers postgres duckdb1
	$(BIN)/python -m pytest

test-fast: manifest
	$(BIN)/python -m pytest tests/unit -m "not real_data and not slow" -q

# The dbt templater renders each model against a scratch warehouse, never the working one.
lint-sql: $(SQLFLUFF_STAMP)
	@mkdir -p data/work
	SVW_WAREHOUSE=$(CURDIR)/data/work/sqlfluff.duckdb $(SQLFLUFF_VENV)/bin/sqlfluff lint dbt_project/models dbt_project/tests

check: setup lint-sql
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The UI and daemon on the instance `svw run` records to (DAGSTER_HOME, default data/dagster_home).
dev: manifest
	$(BIN)/svw dev

samples: setup
	$(BIN)/python -m ingestion.samples --out data/sample

clean:
	rm -rf data/raw data/work data/published data/dagster_home dbt_project/target dbt_project/logs
