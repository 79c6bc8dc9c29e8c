# The two commands of the README's quick start: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WEB := pre-token-web-app
WEB_STAMP := $(WEB)/node_modules/.installed
# checkov lives in a venv of its own: its pins would fight moto's.
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
# The AWS CLI (v1, from PyPI) too: it pins botocore exactly. The real-client tests drive the emulator with it.
AWSCLI_VENV := .venv-awscli
AWSCLI_STAMP := $(AWSCLI_VENV)/.installed
# The demo needs claimsctl and its emulator only ([local]), not the dev toolchain: a venv of its own.
DEMO_VENV := .venv-demo
DEMO_STAMP := $(DEMO_VENV)/.installed
# Amplify JS and aws-jwt-verify, for the real-client tests, installed from their lock file like the web demo's.
CLIENTS := tests/clients
CLIENTS_STAMP := $(CLIENTS)/node_modules/.installed

.PHONY: install web demo test lint bench clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]' --config-settings editable_mode=compat
	touch $(STAMP)

$(DEMO_STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(DEMO_VENV)
	$(DEMO_VENV)/bin/pip install --quiet --upgrade pip
	$(DEMO_VENV)/bin/pip install --quiet -e '.[local]' --config-settings editable_mode=compat
	touch $(DEMO_STAMP)

$(WEB_STAMP): $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error
	touch $(WEB_STAMP)

$(CHECKOV_STAMP): scripts/checkov-requirements.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/pip install --quiet -r scripts/checkov-requirements.txt
	touch $(CHECKOV_STAMP)

$(AWSCLI_STAMP): scripts/awscli-requirements.txt
	$(PYTHON) -m venv $(AWSCLI_VENV)
	$(AWSCLI_VENV)/bin/pip install --quiet --upgrade pip
	$(AWSCLI_VENV)/bin/pip install --quiet -r scripts/awscli-requirements.txt
	touch $(AWSCLI_STAMP)

$(CLIENTS_STAMP): $(CLIENTS)/package.json $(CLIENTS)/package-lock.json
	cd $(CLIENTS) && npm ci --no-audit --no-fund --loglevel=error
	touch $(CLIENTS_STAMP)

install: $(STAMP)

web: $(WEB_STAMP)

demo: $(DEMO_STAMP)
	PATH="$(abspath $(DEMO_VENV))/bin:$$PATH" bash scripts/demo.sh

test: $(STAMP) $(WEB_STAMP) $(CHECKOV_STAMP) $(AWSCLI_STAMP) $(CLIENTS_STAMP)
	bash scripts/install-browser.sh
	CHECKOV="$(abspath $(CHECKOV_VENV))/bin/checkov" PATH="$(abspath $(BIN)):$$PATH" bash scripts/run-tests.sh

lint: $(STAMP) $(WEB_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	cd $(WEB) && npm run --silent lint

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]' --config-settings editable_mode=compat
	PATH="$(abspath $(BIN)):$$PATH" python -m benchmarks.emulator_signin
	PATH="$(abspath $(BIN)):$$PATH" python -m benchmarks.run_all
	PATH="$(abspath $(BIN)):$$PATH" python -m benchmarks.memory --first 1000 --second 10000
	PATH="$(abspath $(BIN)):$$PATH" python -m benchmarks.web_deploy
	PATH="$(abspath $(BIN)):$$PATH" python -m benchmarks.machine_tokens
	PATH="$(abspath $(BIN)):$$PATH" python -m benchmarks.testkit
	PATH="$(abspath $(BIN)):$$PATH" python -m benchmarks.many_projects
	PATH="$(abspath $(BIN)):$$PATH" python -m benchmarks.routes
	PATH="$(abspath $(BIN)):$$PATH" python -m benchmarks.model_rules
	PATH="$(abspath $(BIN)):$$PATH" python -m benchmarks.dead_endpoint
	PATH="$(abspath $(BIN)):$$PATH" python -m benchmarks.testkit_xdist

clean:
	rm -rf $(VENV) $(DEMO_VENV) $(CHECKOV_VENV) $(AWSCLI_VENV) $(CLIENTS)/node_modules .pytest_cache .mypy_cache .ruff_cache *.egg-info $(WEB)/node_modules $(WEB)/dist
