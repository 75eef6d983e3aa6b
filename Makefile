# Ting: `make run` serves a demo on http://127.0.0.1:8000; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
PYTEST_WORKERS ?= 2

.PHONY: run test install lint types migrations-check messages makemessages pytest clean system-deps

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

messages: install
	@bash scripts/system-deps.sh run
	$(BIN)/python manage.py compilemessages --ignore=.venv -v0

# After adding UI strings: update the three catalogs, then translate every new entry.
makemessages: install
	$(BIN)/python manage.py makemessages -l zh_Hans -l zh_Hant -l en --ignore=.venv --ignore=var --no-location

run: install messages
	$(BIN)/ting serve --demo

system-deps:
	@bash scripts/system-deps.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

types: install
	$(BIN)/mypy .

migrations-check: install
	TING_ENV=test $(BIN)/python manage.py makemigrations --check --dry-run

pytest: install messages system-deps
	@if [ -n "$$TING_TEST_DATABASE_URL" ]; then echo "Tests on $${TING_TEST_DATABASE_URL%%@*}@…"; fi
	TING_ENV=test DATABASE_URL="$${TING_TEST_DATABASE_URL:-}" $(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test: lint types migrations-check pytest

clean:
	rm -rf $(VENV) var/static .mypy_cache .ruff_cache
