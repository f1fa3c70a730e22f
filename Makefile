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
	cd examples && $(BIN)/jupyter lab demo.ipynb

lint: setup
	$(BIN)/jlpm lint:check
	$(BIN)/ruff check jupyterlab_experiments tests bench
	$(BIN)/ruff format --check jupyterlab_experiments tests bench

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

bench: setup
	$(BIN)/python bench/run.py

# A wheel that installs into a clean venv and shows up enabled.
dist: setup
	rm -rf dist
	$(BIN)/jlpm clean:all
	$(BIN)/pip install -q build
	$(BIN)/python -m build --wheel --no-isolation
	$(BIN)/jupyter labextension develop --overwrite .

clean:
	rm -rf $(VENV) node_modules ui-tests/node_modules lib jupyterlab_experiments/labextension dist .yarn
