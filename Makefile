# Two commands: `make dev` (set up, then serve examples/app.py; `make dev PORT=9000` on another port)
# and `make test` (set up, install the system packages the tests use, then test).
PYTHON ?= python3
PORT ?= 8787
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: dev test lint format bench clean system-packages apt-install aws-cli

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

dev: $(STAMP)
	cd examples && ../$(BIN)/dotdo dev app:app --data-dir .dotdo --port $(PORT)

# bubblewrap runs bashx's sandboxed tier; jq is the oracle for the shell corpus's jq scripts;
# Node.js and npm run the Cap'n Web interop peer (tests/rpc/js, installed by the tests with npm ci);
# chromium is the headless browser Playwright drives to test the inspector page (never a browser download).
# Each missing package is announced before apt-get runs; without root, the command to run is printed.
system-packages:
	@$(MAKE) --no-print-directory apt-install TOOLS="bwrap jq chromium" PACKAGES="bubblewrap jq chromium"
	@$(MAKE) --no-print-directory apt-install TOOLS="node npm" PACKAGES="nodejs npm"

apt-install:
	@missing=""; for tool in $(TOOLS); do command -v $$tool >/dev/null || missing="$$missing $$tool"; done; \
	if [ -n "$$missing" ]; then \
		echo "make test needs$$missing: running 'apt-get install -y $(PACKAGES)' (Debian packages)"; \
		if [ "$$(id -u)" != 0 ]; then \
			echo "not root: run 'sudo apt-get install -y $(PACKAGES)' yourself, then make test again"; exit 1; \
		fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PACKAGES) >/dev/null; \
	fi

# The aws CLI (a client the compat tests drive) pins its own botocore, so it gets an environment of
# its own in the user cache, built once (tests/compat/aws_cli.py).
aws-cli: $(STAMP)
	$(BIN)/python -m tests.compat.aws_cli

test: $(STAMP) system-packages aws-cli
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
