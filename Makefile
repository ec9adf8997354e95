# Two commands: `make dev` (set up, then serve examples/app.py) and `make test` (set up, then test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: dev test lint format bench clean system-packages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

dev: $(STAMP)
	cd examples && ../$(BIN)/dotdo dev app:app --data-dir .dotdo

# bubblewrap runs bashx's sandboxed tier; jq is the oracle for the shell corpus's jq scripts;
# Node.js and npm run the Cap'n Web interop peer (tests/rpc/js, installed by the tests with npm ci).
system-packages:
	@if ! command -v bwrap >/dev/null || ! command -v jq >/dev/null; then \
		echo "installing bubblewrap and jq (Debian packages)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap jq >/dev/null; \
	fi
	@if ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
		echo "installing Node.js and npm (Debian packages)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; \
	fi

test: $(STAMP) system-packages
	$(BIN)/python -m pytest

# ruff (style, SLF001: no reaching into another module's private names), import-linter (the layers,
# contracts in pyproject.toml) and pyright in basic mode on src/ (it runs on Node.js).
lint: $(STAMP) system-packages
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples
	PYTHONPATH=src $(BIN)/lint-imports --no-cache
	$(BIN)/pyright --pythonpath $(BIN)/python

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks examples
	$(BIN)/ruff check --fix src tests benchmarks examples

bench: $(STAMP)
	$(BIN)/python benchmarks/runtime.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
