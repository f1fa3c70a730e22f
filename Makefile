# Two commands on a fresh machine: `make run` and `make test`.
# Everything is installed into .venv and node_modules by these targets.

SHELL := /bin/bash
PYTHON ?= python3
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
export PATH := $(BIN):$(PATH)
# Keep yarn's cache inside the project so a fresh clone needs nothing global.
export YARN_CACHE_FOLDER ?= $(CURDIR)/.yarn/cache
export YARN_ENABLE_GLOBAL_CACHE := false
export CHROMIUM_PATH ?= /usr/bin/chromium

SETUP_STAMP := $(VENV)/.stamp-setup
UI_STAMP := ui-tests/node_modules/.stamp-install

.PHONY: setup build run test lint test-ts test-py test-ui bench dist browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Python tools first (jlpm comes with jupyter-builder), then JS dependencies,
# then the package in editable mode, which builds the labextension.
$(SETUP_STAMP): $(BIN)/python pyproject.toml package.json yarn.lock
	$(BIN)/pip install -q "jupyterlab>=4.6,<4.7" "jupyter-builder>=1.2,<2" "hatch-jupyter-builder>=0.10" hatchling hatch-nodejs-version editables
	$(BIN)/jlpm install --immutable
	$(BIN)/pip install -q --no-build-isolation -e ".[dev,test]"
	$(BIN)/jupyter labextension develop --overwrite .
	$(BIN)/jupyter server extension enable jupyterlab_experiments --sys-prefix
	touch $@

setup: $(SETUP_STAMP)

build: setup
	$(BIN)/jlpm build

# Starts JupyterLab on the example notebook, with its own store in examples/.experiments.
run: build
	cd examples && $(BIN)/jupyter lab demo.ipynb $$([ "$$(id -u)" = 0 ] && echo --allow-root)

lint: setup
	$(BIN)/jlpm lint:check
	$(BIN)/ruff check jupyterlab_experiments tests bench
	$(BIN)/ruff format --check jupyterlab_experiments tests bench
	$(BIN)/lint-imports
	$(BIN)/python tests/python/import_cycles.py jupyterlab_experiments

test-ts: setup
	$(BIN)/jlpm test

test-py: setup
	$(BIN)/python -m pytest -q

browser:
	@if [ ! -x "$(CHROMIUM_PATH)" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium is missing: run 'sudo apt-get install chromium' (or set CHROMIUM_PATH)"; exit 1; \
	  fi; \
	fi

$(UI_STAMP): ui-tests/package.json ui-tests/yarn.lock
	cd ui-tests && $(BIN)/jlpm install --immutable
	touch $@

test-ui: build browser $(UI_STAMP)
	cd ui-tests && $(BIN)/jlpm playwright test

test: build lint test-ts test-py test-ui

bench: build browser $(UI_STAMP)
	$(BIN)/pip install -q -e ".[bench]" --no-build-isolation
	$(BIN)/python bench/run.py

# A wheel built the way a release is (isolated, production bundle), then installed
# into a clean venv where both halves of the extension must show up enabled.
DIST_VENV := $(CURDIR)/build/dist-venv
dist: setup
	rm -rf dist $(DIST_VENV)
	$(BIN)/jlpm clean:labextension
	$(BIN)/pip install -q build
	$(BIN)/python -m build --wheel
	$(BIN)/jupyter labextension develop --overwrite .
	$(PYTHON) -m venv $(DIST_VENV)
	$(DIST_VENV)/bin/pip install -q dist/*.whl "jupyterlab>=4.6,<4.7"
	$(DIST_VENV)/bin/jupyter labextension list 2>&1 | grep -E "jupyterlab-experiments .*enabled.*OK"
	$(DIST_VENV)/bin/jupyter server extension list 2>&1 | grep -E "jupyterlab_experiments .*enabled"
	cd /tmp && $(DIST_VENV)/bin/python -c "import jupyterlab_experiments as jx; print('import ok', jx.__version__)"

clean:
	rm -rf $(VENV) node_modules ui-tests/node_modules lib jupyterlab_experiments/labextension dist .yarn
