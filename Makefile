# copier-micro-saas: `make demo` and `make test` work on a fresh machine with Python 3.11+ and make.
PYTHON ?= python3
TOOLS_DIR := .tools
UV := $(TOOLS_DIR)/bin/uv
DEMO_DIR := .demo/my-saas
SYNCED := .venv/.synced

.PHONY: help demo test docs lint clean

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-6s %s\n", $$1, $$2}'

# uv is bootstrapped from PyPI into a private folder, so nothing global is needed.
$(UV):
	$(PYTHON) -m venv $(TOOLS_DIR)
	$(TOOLS_DIR)/bin/python -m pip install --quiet --disable-pip-version-check uv

$(SYNCED): pyproject.toml $(UV)
	$(UV) sync --quiet
	@touch $@

demo: $(SYNCED) ## render the default product into .demo/ and serve it on http://localhost:8000
	$(UV) run copier copy --defaults --overwrite --vcs-ref HEAD --quiet . $(DEMO_DIR)
	$(MAKE) -C $(DEMO_DIR) dev UV=$(abspath $(UV))

test: $(SYNCED) ## render every combination, lint it and run its own test suite
	$(UV) run pytest

docs: $(SYNCED) ## build the documentation site (strict)
	$(UV) run mkdocs build --strict

lint: $(SYNCED) ## lint the template's own test code
	$(UV) run ruff check tests
	$(UV) run ruff format --check tests

clean: ## remove renders, caches (.cache: mypy caches of the matrix) and tool environments
	rm -rf .demo .venv .tools .pytest-pg .cache site
