# One-command set-up: `make run` serves the assistant, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install run train test test-services lint bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	# torch first, pinned: the CPU wheel on this machine, never a CUDA build.
	$(BIN)/pip install --disable-pip-version-check -q torch==2.13.0
	$(BIN)/pip install --disable-pip-version-check -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

train: install
	$(BIN)/vha train

run: install
	$(BIN)/vha train --if-needed
	$(BIN)/vha index build --if-needed
	$(BIN)/vha serve

# What the tests talk to for real: PostgreSQL and Redis (started if stopped), the FHIR R4 test
# server's npm packages, and Debian's Chromium. Each script does nothing when already in place.
test-services:
	bash .ci/ensure-services.sh
	bash .ci/install-fhir-server.sh
	bash .ci/install-browser.sh

test: install test-services
	$(BIN)/vha train --if-needed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check assistant policies retrieval connectors tests benchmarks
	$(BIN)/hadolint docker/Dockerfile

bench: install
	$(BIN)/python benchmarks/nlu.py
	$(BIN)/python benchmarks/api_latency.py

clean:
	rm -rf $(VENV) var
