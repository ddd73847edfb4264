# MIM Academy: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
FLASK := $(BIN)/flask --app app

.PHONY: run dev test test-fast lint bench bench-scale install install-test migrate content clean system-packages help

help:
	@echo "make run    install, migrate, load content and serve on http://$(HOST):$(PORT) (with the mail worker)"
	@echo "make dev    the same with Flask's debug server and auto-reload"
	@echo "make test   lint and the whole test suite (SQLite; PostgreSQL too if ACADEMY_TEST_DATABASE_URL is set)"
	@echo "make bench  the benchmark (see README)"
	@echo "make bench-scale  cost as data grows: 1k, 10k, 100k learners (SCALE_ARGS=\"--sizes 1000,10000\" for a quick run)"

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

migrate: install
	$(FLASK) db upgrade

content: migrate
	$(FLASK) content sync

# gunicorn prints the one-time admin setup link itself (academy/gunicorn_conf.py) when none exists.
run: content
	PORT=$(PORT) HOST=$(HOST) $(BIN)/gunicorn -c python:academy.gunicorn_conf app:app

dev: content
	$(FLASK) setup-link
	$(FLASK) run --debug --host $(HOST) --port $(PORT)

lint: install-test
	$(BIN)/ruff check .

# Debian packages the tests drive: Chromium (browser tests), qpdf and poppler-utils (certificate PDFs).
# Installed when missing and running as root (as on CI); otherwise the command to run is printed.
SYSTEM_PACKAGES := chromium qpdf poppler-utils
system-packages:
	@command -v dpkg >/dev/null || { echo "Not a Debian system: install $(SYSTEM_PACKAGES) yourself."; exit 0; }; \
	missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else echo "make test needs:$$missing  (run: sudo apt-get install$$missing)"; exit 1; fi; \
	fi

test: install-test system-packages
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

test-fast: install-test
	$(BIN)/pytest -n 2 -m "not browser and not slow" $(PYTEST_ARGS)

bench: install-test
	$(BIN)/python -m bench $(BENCH_ARGS)

# Grows one scratch database from 1,000 to 100,000 learners and times the lists, analytics, reminder
# scan and export at each size (docs/benchmarks.md, "Cost as data grows"). About 15 minutes.
bench-scale: install-test
	$(BIN)/python -m bench.scale $(SCALE_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
