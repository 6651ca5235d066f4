# The two commands: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Links in e-mails, feeds and DCAT follow the port make run serves on.
CATALOG_BASE_URL ?= http://127.0.0.1:$(PORT)
export CATALOG_BASE_URL
STAMP := $(VENV)/.installed
# Content the transparency workspace generates (its anonymized request log), published
# beside the repository's own with catalog build --extra-content.
GENERATED := var/generated

.PHONY: run test install build bench lint clean demo system-deps

# Create .venv and install the project with its test dependencies (again when pyproject changes).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)
	$(BIN)/python -m catalog.i18n >/dev/null

build: install
	$(BIN)/catalog build --root . --build-dir build

# The data flows one way: the workspace (a producer of content) exports its open data,
# the build reads content folders only, and the server reads the release.
run: install
	$(BIN)/catalog workspace migrate
	$(BIN)/catalog workspace demo --root .
	$(BIN)/catalog requests export --root . --publisher segeplan --into $(GENERATED)
	$(BIN)/catalog build --root . --extra-content $(GENERATED) --build-dir build
	@echo "Portal: http://127.0.0.1:$(PORT)/  (Datasette: /sql/, API: /api/, transparencia: /transparencia/)"
	$(BIN)/catalog serve --port $(PORT) --build-dir build

# Debian packages the tests drive: Chromium for browser and accessibility tests.
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test: install system-deps
	$(BIN)/ruff check catalog plugins tests
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -n 2

bench: install system-deps
	@command -v wrk >/dev/null 2>&1 || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
		$(BIN)/python -m catalog.bench

lint: install
	$(BIN)/ruff check catalog plugins tests
	$(BIN)/mypy

demo: install
	$(BIN)/catalog demo --root .

clean:
	rm -rf build $(GENERATED) bench-work .pytest_cache .ruff_cache
