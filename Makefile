# agentic-platform: the two commands of the Quick start are `make preflight` and `make test`.
# Installing is idempotent: each virtual environment is rebuilt only when its requirements change.
PYTHON ?= python3
VENV := .venv
CHECKOV_VENV := .venv-checkov
PY := $(VENV)/bin/python
BUILD := build
STACKS := dev prod

.PHONY: install preflight plan test lint typecheck unit bench clean mermaid

install: $(VENV)/.installed $(CHECKOV_VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "python 3.11+ is required")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "installing the project environment ($(VENV))..."
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	@echo "installing checkov in its own environment ($(CHECKOV_VENV))..."
	@$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	@touch $@

# The gate for every platform stack and for the bootstrap program (gated like the rest).
preflight: install
	@mkdir -p $(BUILD)
	@status=0; for s in $(STACKS); do \
	  $(PY) -m preflight check --stack $$s --output-dir $(BUILD)/$$s || status=$$?; \
	done; \
	$(PY) -m preflight check --program bootstrap --stack shared --output-dir $(BUILD)/bootstrap || status=$$?; \
	echo "reports: $(BUILD)/<stack>/report.{txt,json,md,sarif} and graph.json"; exit $$status

plan: install
	@for s in $(STACKS); do $(PY) -m preflight plan --stack $$s || exit $$?; done

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

unit: install
	$(VENV)/bin/pytest

test: lint typecheck unit workflows

# GitHub workflows, offline: the workflow JSON schema, zizmor (no network audits) and checkov's
# github_actions checks. checkov runs from .github/ so that only its flags here apply (it reads
# .checkov.yaml from its working directory), and --skip-download keeps it offline.
.PHONY: workflows
workflows: install
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(VENV)/bin/zizmor --offline --no-progress .github/workflows
	cd .github && $(CURDIR)/$(CHECKOV_VENV)/bin/checkov -d . --framework github_actions --quiet --skip-download

# mermaid-cli for the diagram render test (tests/preflight/test_diagram_render.py), pinned by
# tools/mermaid/package-lock.json and installed into tools/mermaid/node_modules (ignored by git).
# The browser is the system's Chromium (Debian: `apt-get install chromium`; GitHub's Ubuntu runners
# ship one at /usr/bin/chromium), so puppeteer downloads none and runs no install scripts.
# Optional: without it the render test skips, except under GitHub Actions.
MERMAID_DIR := tools/mermaid

mermaid: $(MERMAID_DIR)/node_modules/.installed

$(MERMAID_DIR)/node_modules/.installed: $(MERMAID_DIR)/package.json $(MERMAID_DIR)/package-lock.json
	@command -v npm >/dev/null || { echo "npm is required for the diagram renderer (Debian: apt-get install npm)"; exit 2; }
	@echo "installing mermaid-cli ($(MERMAID_DIR)/node_modules)..."
	@cd $(MERMAID_DIR) && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) $(BUILD) .mypy_cache .ruff_cache .pytest_cache $(MERMAID_DIR)/node_modules
