# The two README commands: `make run` and `make test`. Everything they need is installed on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .make

.PHONY: run test install frontend check clean

run: install frontend
	$(BIN)/hocso serve --host 127.0.0.1 --port 8000

# Every test on SQLite (browser tests in Debian's Chromium included), then the API tests again on a
# throwaway PostgreSQL (scripts/with-postgres).
test: install frontend
	scripts/ensure-chromium
	$(BIN)/ruff check backend tests bench
	$(BIN)/hocso content check
	@# pytest exits 5 when it collects no test: say so rather than fail or pass silently.
	@$(BIN)/pytest; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests were collected"; exit 0; fi; exit $$rc
	scripts/with-postgres $(BIN)/pytest -m "not e2e" -p no:cacheprovider

check: install
	$(BIN)/hocso content check

install: $(STAMPS)/python

# Reinstalled whenever pyproject.toml changes.
$(STAMPS)/python: pyproject.toml
	@mkdir -p $(STAMPS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

# The PWA is built when frontend/ exists; the API serves frontend/dist.
frontend:
	@if [ -f frontend/package.json ]; then \
	  if [ ! -d frontend/node_modules ] || [ frontend/package-lock.json -nt frontend/node_modules/.package-lock.json ]; then \
	    (cd frontend && npm ci --no-audit --no-fund); fi; \
	  (cd frontend && npm run build); \
	fi

clean:
	rm -rf $(VENV) $(STAMPS) frontend/node_modules frontend/dist
