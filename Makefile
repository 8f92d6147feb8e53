# The two README commands: `make run` and `make test`. Everything they need is installed on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .make

.PHONY: run test install frontend check clean lock mutation

run: install frontend
	$(BIN)/hocso serve --host 127.0.0.1 --port 8000

# Every test on SQLite (browser tests in Debian's Chromium included) and, alongside, the API tests again on a
# throwaway PostgreSQL: four pytest runs at once (scripts/run-tests).
test: install frontend $(STAMPS)/ralph
	scripts/ensure-chromium
	$(BIN)/ruff check backend tests bench
	$(BIN)/ruff format --check backend tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/hocso content check
	scripts/run-tests

# Mutation testing, outside `make test`: minutes to an hour per area on a busy machine, so niced. AREAS picks
# them (learning accounts privacy rollups staff scope stats; default all); bench/README.md says how to read it.
AREAS ?=
MUTATION_FLAGS ?=
mutation: install
	nice -n 10 $(BIN)/python bench/mutation.py $(AREAS) $(MUTATION_FLAGS)

check: install
	$(BIN)/hocso content check

install: $(STAMPS)/python

# Reinstalled whenever pyproject.toml or the lock changes. The exact versions (with hashes) come from
# requirements-test.lock, the same pins as the Docker image's requirements.lock plus the test tools.
$(STAMPS)/python: pyproject.toml requirements.lock requirements-test.lock
	@mkdir -p $(STAMPS)
	@scripts/check-lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-test.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

# ralph, the xAPI learning record store the tests send statements to, in a virtualenv of its own (it pins an
# older FastAPI than ours).
$(STAMPS)/ralph: tests/xapi/requirements.lock
	@mkdir -p $(STAMPS)
	@test -x .venv-ralph/bin/python || $(PYTHON) -m venv .venv-ralph
	.venv-ralph/bin/python -m pip install --quiet --require-hashes -r tests/xapi/requirements.lock
	@touch $@

# Re-pins every dependency after a change to pyproject.toml: the Docker image's lock and the test lock.
LOCK_FLAGS := --python-version 3.11 --python-platform x86_64-manylinux_2_28 --generate-hashes --no-header --quiet
lock:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml $(LOCK_FLAGS) -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra test $(LOCK_FLAGS) -o requirements-test.lock
	$(BIN)/uv pip compile tests/xapi/requirements.in $(LOCK_FLAGS) -o tests/xapi/requirements.lock

# The PWA is built when frontend/ exists; the API serves frontend/dist.
frontend:
	@if [ -f frontend/package.json ]; then \
	  if [ ! -d frontend/node_modules ] || [ frontend/package-lock.json -nt frontend/node_modules/.package-lock.json ]; then \
	    (cd frontend && npm ci --no-audit --no-fund); fi; \
	  (cd frontend && npm run build); \
	fi

clean:
	rm -rf $(VENV) .venv-ralph $(STAMPS) frontend/node_modules frontend/dist
